//! Writing: compare with what is on disk, report stale files, swap the new tree in whole.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::render::Files;

/// The paths of an output crate that codegen owns; everything else there (tests,
/// examples) is hand-written and carried over untouched.
fn is_owned(relative: &str) -> bool {
    relative == "Cargo.toml" || relative == "README.md" || relative.starts_with("src/")
}

/// What differs between `files` and the owned files under `out_dir`, sorted.
pub fn stale_files(out_dir: &Path, files: &Files) -> io::Result<Vec<String>> {
    let mut stale = BTreeSet::new();
    let existing = list_files(out_dir)?;
    for relative in existing.iter().filter(|r| is_owned(r)) {
        if !files.contains_key(relative) {
            stale.insert(format!("{relative} (should not exist)"));
        }
    }
    for (relative, contents) in files {
        match fs::read(out_dir.join(relative)) {
            Ok(bytes) if bytes == contents.as_bytes() => {}
            Ok(_) => {
                stale.insert(relative.clone());
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                stale.insert(format!("{relative} (missing)"));
            }
            Err(error) => return Err(error),
        }
    }
    Ok(stale.into_iter().collect())
}

/// Replaces the owned files under `out_dir` with `files`: the new tree is assembled in a
/// sibling folder first and swapped in by renames, so a failure leaves `out_dir` as it was.
pub fn write_tree(out_dir: &Path, files: &Files) -> io::Result<()> {
    let parent = out_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let staging = parent.join(format!(".{name}.staging"));
    let old = parent.join(format!(".{name}.old"));
    for leftover in [&staging, &old] {
        if leftover.exists() {
            fs::remove_dir_all(leftover)?;
        }
    }
    let result = (|| {
        fs::create_dir_all(&staging)?;
        if out_dir.exists() {
            for relative in list_files(out_dir)?.iter().filter(|r| !is_owned(r)) {
                let target = staging.join(relative);
                if let Some(dir) = target.parent() {
                    fs::create_dir_all(dir)?;
                }
                fs::copy(out_dir.join(relative), target)?;
            }
        }
        for (relative, contents) in files {
            let target = staging.join(relative);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(target, contents)?;
        }
        Ok(())
    })();
    if let Err(error) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    if out_dir.exists() {
        fs::rename(out_dir, &old)?;
    }
    if let Err(error) = fs::rename(&staging, out_dir) {
        // Put the previous tree back.
        if old.exists() {
            let _ = fs::rename(&old, out_dir);
        }
        return Err(error);
    }
    if old.exists() {
        fs::remove_dir_all(&old)?;
    }
    Ok(())
}

/// Every file below `dir` as a `/`-separated relative path, skipping build output.
fn list_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current)? {
            let entry = entry?;
            let path = entry.path();
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                if entry.file_name() != "target" {
                    stack.push(path);
                }
            } else if let Ok(relative) = path.strip_prefix(dir) {
                let parts: Vec<String> =
                    relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_keeps_hand_written_files_and_drops_stale_generated_ones() {
        let root = std::env::temp_dir().join(format!("clientgen-write-{}", std::process::id()));
        let out = root.join("crate");
        fs::create_dir_all(out.join("src")).unwrap();
        fs::create_dir_all(out.join("tests")).unwrap();
        fs::write(out.join("src/old.rs"), "old").unwrap();
        fs::write(out.join("tests/mine.rs"), "mine").unwrap();
        let mut files = Files::new();
        files.insert("src/lib.rs".into(), "new".into());
        assert_eq!(stale_files(&out, &files).unwrap(), vec!["src/lib.rs (missing)", "src/old.rs (should not exist)"]);
        write_tree(&out, &files).unwrap();
        assert!(stale_files(&out, &files).unwrap().is_empty());
        assert_eq!(fs::read_to_string(out.join("tests/mine.rs")).unwrap(), "mine");
        assert!(!out.join("src/old.rs").exists());
        fs::remove_dir_all(root).unwrap();
    }
}
