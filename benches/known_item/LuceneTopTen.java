// Every hit of each query, with its score, from an index built by ../shared/tools/peers/peer_lucene.py,
// with that runner's own analyzer and query parser settings (LucenePeer.analyzer, classic
// QueryParser on "body", default operator AND, BM25 k1=1.2 b=0.75). The runner itself only
// times queries or exports one query a JVM, so known_item.py uses this instead, and keeps
// the best ten the way it does for every engine.
//
//   java -cp LUCENE_JAR:LUCENE_PEER_CLASSES:DIR LuceneTopTen INDEXDIR QUERIES.tsv OUT.tsv
// QUERIES.tsv lines: qid<TAB>lucene_query; OUT.tsv lines: qid<TAB>total<TAB>id score id score ...
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.io.*;
import java.util.Locale;
import org.apache.lucene.index.*;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.*;
import org.apache.lucene.store.FSDirectory;

public class LuceneTopTen {
  public static void main(String[] a) throws Exception {
    Path idx = Paths.get(a[0]);
    String kind = LucenePeer.readKind(idx);
    try (var dir = FSDirectory.open(idx); DirectoryReader r = DirectoryReader.open(dir);
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(Paths.get(a[2]), StandardCharsets.UTF_8))) {
      IndexSearcher s = new IndexSearcher(r);
      StoredFields sf = s.storedFields();
      QueryParser qp = new QueryParser("body", LucenePeer.analyzer(kind));
      qp.setDefaultOperator(QueryParser.Operator.AND);
      for (String line : Files.readAllLines(Paths.get(a[1]), StandardCharsets.UTF_8)) {
        if (line.isBlank()) continue;
        String[] f = line.split("\t", -1);
        Query q = qp.parse(f[1]);
        int total = s.count(q);
        StringBuilder hits = new StringBuilder();
        for (ScoreDoc sd : s.search(q, Math.max(1, total)).scoreDocs) {
          if (hits.length() > 0) hits.append(' ');
          hits.append(sf.document(sd.doc).get("id")).append(' ').append(Float.toString(sd.score));
        }
        out.println(f[0] + "\t" + total + "\t" + hits);
      }
    }
  }
}
