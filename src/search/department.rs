//! Which department a user means by what they typed: the exact name in any case, a common
//! short form, the initials of the name (DfE, MoD, FCDO, DWP...), or a unique prefix or
//! word of it.

use std::collections::BTreeSet;

use super::FilterError;

/// The department a user means: the exact name in any case, a common short form, the
/// initials of the name (DfE, MoD, FCDO, DWP...), or a unique prefix or word of it.
pub fn resolve_department(wanted: &str, known: &BTreeSet<String>) -> Result<String, FilterError> {
    if let Some(name) = resolve_short_form(wanted, known) {
        return Ok(name);
    }
    let w = wanted.trim().to_lowercase();
    let by_text: Vec<&String> = known
        .iter()
        .filter(|k| {
            let k = k.to_lowercase();
            k.starts_with(&w)
                || k.split(|c: char| !c.is_alphanumeric())
                    .any(|word| word == w)
        })
        .collect();
    match by_text.len() {
        1 => Ok(by_text[0].clone()),
        0 => Err(FilterError::UnknownDepartment {
            wanted: wanted.to_string(),
            known: known.iter().cloned().collect(),
        }),
        _ => Err(FilterError::AmbiguousDepartment {
            wanted: wanted.to_string(),
            matches: by_text.into_iter().cloned().collect(),
        }),
    }
}

/// The department a user means by its exact name (any case), a common short form (HMT) or
/// the initials of its name (DHSC, DfE, MoD), when exactly one department has them. The
/// query prefix `department:` uses this before falling back to the words of the names.
pub fn resolve_short_form(wanted: &str, known: &BTreeSet<String>) -> Option<String> {
    let w = wanted.trim().to_lowercase();
    if let Some(name) = known.iter().find(|k| k.to_lowercase() == w) {
        return Some(name.clone());
    }
    if let Some(name) = crate::departments::short_form(&w, known) {
        return Some(name);
    }
    let by_initials: Vec<&String> = known.iter().filter(|k| initials(k).contains(&w)).collect();
    (by_initials.len() == 1).then(|| by_initials[0].clone())
}

/// Initials of a name, lower-cased: with every word ("mod" for Ministry of Defence) and
/// without the small words ("dhsc", "fcdo").
fn initials(name: &str) -> [String; 2] {
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let all = words
        .iter()
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_lowercase();
    let main = words
        .iter()
        .filter(|w| !["of", "and", "the", "for"].contains(&w.to_lowercase().as_str()))
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_lowercase();
    [all, main]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> BTreeSet<String> {
        [
            "Department of Health and Social Care",
            "Department for Education",
            "Ministry of Defence",
            "Foreign, Commonwealth and Development Office",
            "Treasury",
            "Department for Transport",
            "Department for Energy Security and Net Zero",
            "Home Office",
            "Cabinet Office",
            "House of Commons Commission",
            "Prime Minister",
            "Attorney General",
            "Women and Equalities",
            "Department for Environment, Food and Rural Affairs",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn departments_resolve_from_names_short_forms_and_prefixes() {
        let k = known();
        for (input, want) in [
            ("home office", "Home Office"),
            ("DHSC", "Department of Health and Social Care"),
            ("DfE", "Department for Education"),
            ("MoD", "Ministry of Defence"),
            ("FCDO", "Foreign, Commonwealth and Development Office"),
            ("HMT", "Treasury"),
            ("DfT", "Department for Transport"),
            ("DESNZ", "Department for Energy Security and Net Zero"),
            ("Treas", "Treasury"),
            ("transport", "Department for Transport"),
            ("Ministry", "Ministry of Defence"),
            (
                "Foreign Office",
                "Foreign, Commonwealth and Development Office",
            ),
            ("FCO", "Foreign, Commonwealth and Development Office"),
            ("HO", "Home Office"),
            ("No 10", "Prime Minister"),
            ("Law Officers", "Attorney General"),
            ("AGO", "Attorney General"),
            ("Equalities", "Women and Equalities"),
            (
                "Defra",
                "Department for Environment, Food and Rural Affairs",
            ),
            (
                "DEFRA",
                "Department for Environment, Food and Rural Affairs",
            ),
        ] {
            assert_eq!(
                resolve_department(input, &k).as_deref(),
                Ok(want),
                "{input}"
            );
        }
        for ambiguous in ["Office", "Department"] {
            assert!(matches!(
                resolve_department(ambiguous, &k),
                Err(FilterError::AmbiguousDepartment { .. })
            ));
        }
        let err = resolve_department("Narnia", &k).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("no department matches \"Narnia\""));
    }
}
