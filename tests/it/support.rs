//! Helpers shared by the integration tests: test data and the seed letters.

use std::path::PathBuf;

/// The crate's root directory.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Rows of a TSV file under `tests/data`, comments and the header skipped.
pub fn tsv(name: &str, header_first_column: &str) -> Vec<Vec<String>> {
    let path = root().join("tests/data").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter(|l| l.split('\t').next() != Some(header_first_column))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Says loudly that part of the suite did not run. Written straight to the
/// process's stderr, which the test harness does not capture, so the line
/// shows even when the test passes.
pub fn skipped(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
}

/// The seed letter with this number (`000`, `003`) from `../shared/seeds`,
/// or `None` (said loudly) when the shared folder is not beside the clone.
pub fn seed_text(seed: &str) -> Option<String> {
    let dir = root().join("../shared/seeds");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(_) => {
            skipped(&format!(
                "{} not found; seed-text coverage checks skipped \
                 (the embedded seed values are still checked)",
                dir.display()
            ));
            return None;
        }
    };
    let path = entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
        p.extension().is_some_and(|x| x == "txt")
            && p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{seed}_")))
    })?;
    Some(std::fs::read_to_string(path).expect("seed letters are UTF-8"))
}
