//! "Did you mean": the candidate closest to a mistyped name. A leaf with no imports from
//! the crate, so that the command line compiles the same file (`#[path]`) for names the
//! library does not know (customer ids) without it being public API.

/// The candidate closest to a mistyped `name`, if one is close enough to be a likely typo:
/// at most one edit (insertion, deletion, substitution or swap of neighbours) per three
/// characters, or a near substring. Used for every "did you mean" of the crate.
pub(crate) fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        if cand != name && cand.to_lowercase() == name.to_lowercase() {
            // a difference in case only is the likeliest slip of all, however short the name
            return Some(cand);
        }
        let d = edit_distance(name, cand);
        // one edit in three characters; names of one or two characters get no guess, since
        // every other short name is as close
        let limit = cand.chars().count().max(name.chars().count()) / 3;
        let substring =
            cand.len() >= 3 && name.len() >= 3 && (cand.contains(name) || name.contains(cand));
        if d <= limit || (substring && d <= limit + 3) {
            match best {
                Some((bd, _)) if bd <= d => {}
                _ => best = Some((d, cand)),
            }
        }
    }
    best.map(|(_, c)| c)
}

/// ``did you mean `NAME`?`` for the closest candidate.
pub(crate) fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Levenshtein distance over characters, with adjacent transpositions counting one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(usize::MAX) + 1;
            let ins = cur.get(j).copied().unwrap_or(usize::MAX) + 1;
            let sub = prev.get(j).copied().unwrap_or(usize::MAX) + cost;
            let mut v = del.min(ins).min(sub);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                v = v.min(prev2.get(j - 1).copied().unwrap_or(usize::MAX) + 1);
            }
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = v;
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b.len()).copied().unwrap_or(usize::MAX)
}

/// ``expected one of `a`, `b`, `c` `` for a help line, the names in the order given.
pub(crate) fn expected_one_of<'a, I>(names: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    let list: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    format!("expected one of {}", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_to_choose_from() {
        assert_eq!(expected_one_of(["a", "b"]), "expected one of `a`, `b`");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            closest("gross_margn_pct", ["annual_teu", "gross_margin_pct"]),
            Some("gross_margin_pct")
        );
        assert_eq!(closest("vpi", ["vip", "key"]), Some("vip"));
        assert_eq!(closest("E", ["A", "B"]), None);
        assert_eq!(closest("b", ["A", "B"]), Some("B"));
        let c = ["gross_margin_pct", "annual_teu", "influence"];
        assert_eq!(
            did_you_mean("gross_margn_pct", c).as_deref(),
            Some("did you mean `gross_margin_pct`?")
        );
        assert_eq!(did_you_mean("zzz", c), None);
        assert_eq!(
            did_you_mean("infleunce", c).as_deref(),
            Some("did you mean `influence`?")
        );
        assert_eq!(
            did_you_mean("b", ["A", "B", "C"]).as_deref(),
            Some("did you mean `B`?")
        );
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
