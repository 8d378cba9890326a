//! Writing: compare with what is on disk, report stale files, write the generated files.
//!
//! A writer owns only what it wrote. Every output folder gets a manifest
//! ([`MANIFEST`]) listing the files the generator wrote there; a later run replaces or
//! deletes only files that manifest lists, and writes into a folder only when it is missing,
//! empty, or holds such a manifest. Everything else in the folder (hand-written tests and
//! examples, `target/`, symlinks, a user's own files) is never read, copied or touched.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::render::{Files, PREAMBLE};

/// The manifest of generated files, at the root of an output folder.
pub const MANIFEST: &str = ".clientgen-manifest";

const MANIFEST_HEADER: &str = "# Files written by the client generator (`cargo xtask codegen` / `generate`).\n\
# It replaces or deletes only the files listed here; everything else in this folder is yours.\n";

/// `files` with the manifest that lists them.
fn with_manifest(files: &Files) -> Files {
    let mut all = files.clone();
    let mut text = MANIFEST_HEADER.to_owned();
    for relative in files.keys() {
        text.push_str(relative);
        text.push('\n');
    }
    all.insert(MANIFEST.to_owned(), text);
    all
}

/// Why a folder cannot be written.
#[derive(Debug)]
pub enum WriteError {
    /// The folder holds files the generator did not write.
    NotOurs {
        dir: PathBuf,
    },
    /// A file the generator writes now is already there, different, and it did not write it
    /// (a newer generator writes a path that was the user's).
    WouldReplace {
        path: PathBuf,
    },
    Io(io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NotOurs { dir } => write!(
                f,
                "refusing to write into {}: it is not empty and was not generated here (no `{MANIFEST}`); \
                 choose a new or empty folder, or move its contents away first",
                dir.display()
            ),
            WriteError::WouldReplace { path } => write!(
                f,
                "refusing to replace {}: the generator writes a file there now, but did not write the one \
                 that is there (it is not in `{MANIFEST}`); move it away and run again",
                path.display()
            ),
            WriteError::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for WriteError {}

impl From<io::Error> for WriteError {
    fn from(error: io::Error) -> Self {
        WriteError::Io(error)
    }
}

/// The files the generator wrote in `dir` before: its manifest, or for a folder generated
/// before manifests existed, the files that start with the generator's preamble. `None`
/// when the folder holds anything else (or does not prove it is ours).
fn owned_files(dir: &Path) -> io::Result<Option<BTreeSet<String>>> {
    match fs::read_to_string(dir.join(MANIFEST)) {
        Ok(text) => {
            return Ok(Some(
                text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(str::to_owned).collect(),
            ));
        }
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        Err(_) => {}
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries.collect::<Result<Vec<_>, _>>()?,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Some(BTreeSet::new())),
        Err(error) => return Err(error),
    };
    if entries.is_empty() {
        return Ok(Some(BTreeSet::new()));
    }
    if !starts_with_preamble(&dir.join("Cargo.toml")) {
        return Ok(None);
    }
    // Generated before manifests: the files that carry the preamble.
    let mut owned = BTreeSet::new();
    for relative in ["Cargo.toml", "README.md"] {
        if starts_with_preamble(&dir.join(relative)) {
            owned.insert(relative.to_owned());
        }
    }
    for relative in list_files(&dir.join("src"))? {
        let relative = format!("src/{relative}");
        if starts_with_preamble(&dir.join(&relative)) {
            owned.insert(relative);
        }
    }
    Ok(Some(owned))
}

fn starts_with_preamble(path: &Path) -> bool {
    let Ok(metadata) = fs::symlink_metadata(path) else { return false };
    if !metadata.is_file() {
        return false;
    }
    fs::read_to_string(path).is_ok_and(|text| text.lines().next().is_some_and(|first| first.contains(PREAMBLE)))
}

/// What differs between `files` (with their manifest) and what the generator owns in
/// `out_dir`, sorted.
pub fn stale_files(out_dir: &Path, files: &Files) -> io::Result<Vec<String>> {
    let files = with_manifest(files);
    let mut stale = BTreeSet::new();
    for relative in owned_files(out_dir)?.unwrap_or_default() {
        if !files.contains_key(&relative) && out_dir.join(&relative).exists() {
            stale.insert(format!("{relative} (should not exist)"));
        }
    }
    for (relative, contents) in &files {
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

/// Writes `files` (and their manifest) into `out_dir`, which must be missing, empty, or
/// generated here before. Every changed file is first written beside its target and then
/// renamed over it, the file it replaces moved aside until the run has succeeded, so a
/// failure at any step puts every file back as it was; a
/// symlink is written through, never replaced; a replaced file keeps its permissions.
/// Files the previous manifest lists and `files` no longer has are deleted, nothing else.
pub fn write_tree(out_dir: &Path, files: &Files) -> Result<(), WriteError> {
    let Some(previous) = owned_files(out_dir)? else {
        return Err(WriteError::NotOurs { dir: out_dir.to_path_buf() });
    };
    let files = with_manifest(files);
    if let Some(path) = someone_elses(out_dir, &files, &previous)? {
        return Err(WriteError::WouldReplace { path });
    }
    let mut staged = Staged::default();
    if let Err(error) = stage(out_dir, &files, &mut staged) {
        staged.undo();
        return Err(error.into());
    }
    let gone: Vec<PathBuf> =
        previous.iter().filter(|r| !files.contains_key(*r)).map(|relative| out_dir.join(relative)).collect();
    let mut moves = Moves::default();
    if let Err(error) = moves.commit(&staged, &gone) {
        moves.undo();
        staged.undo();
        return Err(error.into());
    }
    moves.forget();
    for path in &gone {
        remove_empty_folders(out_dir, path);
    }
    Ok(())
}

/// The first file of `files` that is in `out_dir` already, with other contents, though the
/// generator did not write it there (`previous` does not list it).
fn someone_elses(out_dir: &Path, files: &Files, previous: &BTreeSet<String>) -> io::Result<Option<PathBuf>> {
    for (relative, contents) in files {
        if relative == MANIFEST || previous.contains(relative) {
            continue;
        }
        let target = out_dir.join(relative);
        let Ok(metadata) = fs::symlink_metadata(&target) else { continue };
        if !metadata.is_file() || fs::read(&target).map_err(at(&target))? != contents.as_bytes() {
            return Ok(Some(target));
        }
    }
    Ok(None)
}

/// An I/O error that names the path it happened at.
fn at(path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |error| io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

/// The renames that put a run's files in place, in the order they were made: undone in
/// reverse when one fails, so a failed run leaves every file as it was.
#[derive(Default)]
struct Moves {
    done: Vec<(PathBuf, PathBuf)>,
    /// Replaced and deleted files, moved aside until the run has succeeded.
    aside: Vec<PathBuf>,
}

impl Moves {
    /// Renames each staged file over its target (the target moved aside first) and moves
    /// aside each file no longer generated (`gone`; a symlink in its place is left alone).
    fn commit(&mut self, staged: &Staged, gone: &[PathBuf]) -> io::Result<()> {
        for (temporary, target) in &staged.files {
            self.set_aside(target)?;
            self.rename(temporary, target)?;
        }
        for path in gone {
            self.set_aside(path)?;
        }
        Ok(())
    }

    /// Moves the regular file at `path`, if there is one, to a name beside it.
    fn set_aside(&mut self, path: &Path) -> io::Result<()> {
        if !fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
            return Ok(());
        }
        let aside = beside(path, "clientgen-old");
        self.rename(path, &aside)?;
        self.aside.push(aside);
        Ok(())
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to).map_err(at(to))?;
        self.done.push((from.to_path_buf(), to.to_path_buf()));
        Ok(())
    }

    /// Puts every file back where it was.
    fn undo(&self) {
        for (from, to) in self.done.iter().rev() {
            let _ = fs::rename(to, from);
        }
    }

    /// The run succeeded: deletes the files set aside.
    fn forget(self) {
        for aside in self.aside {
            let _ = fs::remove_file(aside);
        }
    }
}

/// A hidden name beside `path` for one stage of writing it.
fn beside(path: &Path, stage: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{stage}"))
}

/// What staging has put on disk so far: files at temporary names (with their targets),
/// files written through symlinks (with what they held before, if anything) and the folders
/// it created, in the order it created them.
#[derive(Default)]
struct Staged {
    files: Vec<(PathBuf, PathBuf)>,
    through: Vec<(PathBuf, Option<Vec<u8>>)>,
    folders: Vec<PathBuf>,
}

impl Staged {
    /// Takes away what staging wrote: the temporary files, what it wrote through symlinks,
    /// then the folders it created (innermost first) where they are still empty.
    fn undo(&self) {
        for (temporary, _) in &self.files {
            let _ = fs::remove_file(temporary);
        }
        for (link, before) in &self.through {
            let _ = match before {
                Some(bytes) => fs::write(link, bytes),
                None => fs::remove_file(fs::canonicalize(link).unwrap_or_default()),
            };
        }
        for folder in self.folders.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }

    /// Creates `dir` and its missing parents, noting each one it creates.
    fn create_dirs(&mut self, dir: &Path) -> io::Result<()> {
        let missing: Vec<&Path> = dir.ancestors().take_while(|d| fs::symlink_metadata(d).is_err()).collect();
        for folder in missing.into_iter().rev() {
            match fs::create_dir(folder) {
                Ok(()) => self.folders.push(folder.to_path_buf()),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
                Err(error) => return Err(at(folder)(error)),
            }
        }
        Ok(())
    }

    /// Writes `contents` to the file the symlink `link` points to, noting what it held.
    fn write_through(&mut self, link: &Path, contents: &str) -> io::Result<()> {
        let before = match fs::read(link) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => return Err(at(link)(error)),
        };
        fs::write(link, contents).map_err(at(link))?;
        self.through.push((link.to_path_buf(), before));
        Ok(())
    }
}

/// Writes every changed file to a temporary name beside its target; symlinked targets are
/// written through at once (there is nothing to rename over), what they held kept to undo.
fn stage(out_dir: &Path, files: &Files, staged: &mut Staged) -> io::Result<()> {
    for (relative, contents) in files {
        let target = out_dir.join(relative);
        let existing = fs::symlink_metadata(&target).ok();
        if existing.as_ref().is_some_and(|m| m.is_file())
            && fs::read(&target).map_err(at(&target))? == contents.as_bytes()
        {
            continue;
        }
        if let Some(dir) = target.parent() {
            staged.create_dirs(dir)?;
        }
        if existing.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
            staged.write_through(&target, contents)?;
            continue;
        }
        let temporary = beside(&target, "clientgen-tmp");
        fs::write(&temporary, contents).map_err(at(&target))?;
        staged.files.push((temporary.clone(), target.clone()));
        if let Some(metadata) = existing {
            fs::set_permissions(&temporary, metadata.permissions()).map_err(at(&target))?;
        }
    }
    Ok(())
}

/// Removes the folders that deleting `path` left empty, up to `out_dir`.
fn remove_empty_folders(out_dir: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(current) = dir.filter(|d| *d != out_dir && d.starts_with(out_dir)) {
        if fs::remove_dir(current).is_err() {
            break;
        }
        dir = current.parent();
    }
}

/// Every regular file below `dir` as a `/`-separated relative path (symlinks not followed).
fn list_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current)? {
            let entry = entry?;
            let path = entry.path();
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                stack.push(path);
            } else if file_type.is_file()
                && let Ok(relative) = path.strip_prefix(dir)
            {
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

    fn scratch(tag: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("clientgen-write-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        root
    }

    fn files(entries: &[(&str, &str)]) -> Files {
        entries.iter().map(|(path, text)| ((*path).to_owned(), (*text).to_owned())).collect()
    }

    #[test]
    fn a_failed_write_leaves_no_file_or_folder_behind() {
        let root = scratch("failed");
        let out = root.join("crate");
        // A name the file system refuses (over 255 bytes), after files that stage fine.
        let refused = format!("src/new/deeper/{}.rs", "x".repeat(300));
        let doomed = files(&[("Cargo.toml", "x"), ("src/lib.rs", "one"), (refused.as_str(), "never")]);
        assert!(write_tree(&out, &doomed).is_err());
        assert!(!out.exists(), "a failed first write created {}", out.display());

        write_tree(&out, &files(&[("src/lib.rs", "one")])).unwrap();
        let before = list_files(&out).unwrap();
        let doomed = files(&[("src/lib.rs", "two"), (refused.as_str(), "never")]);
        assert!(write_tree(&out, &doomed).is_err());
        assert_eq!(list_files(&out).unwrap(), before);
        assert_eq!(fs::read_to_string(out.join("src/lib.rs")).unwrap(), "one");
        assert!(!out.join("src/new").exists());
    }

    /// Everything below `dir`, hidden files included, with its contents.
    fn snapshot(dir: &Path) -> Vec<(String, String)> {
        list_files(dir).unwrap().into_iter().map(|f| (f.clone(), fs::read_to_string(dir.join(&f)).unwrap())).collect()
    }

    #[cfg(unix)]
    #[test]
    fn a_rename_failing_midway_puts_every_file_back() {
        use std::os::unix::fs::symlink;
        let root = scratch("midway");
        let out = root.join("crate");
        write_tree(&out, &files(&[("README.md", "one"), ("src/a.rs", "one"), ("src/old.rs", "old")])).unwrap();
        fs::rename(out.join("README.md"), root.join("shared-readme.md")).unwrap();
        symlink(root.join("shared-readme.md"), out.join("README.md")).unwrap();
        // The user's folder where this run writes a file: staging succeeds, its rename fails,
        // after `src/a.rs` has been replaced.
        fs::create_dir_all(out.join("src/b.rs")).unwrap();
        fs::write(out.join("src/b.rs/mine.txt"), "mine").unwrap();
        let before = snapshot(&out);

        let next = files(&[("README.md", "two"), ("src/a.rs", "two"), ("src/b.rs", "two"), ("src/c.rs", "new")]);
        let error = write_tree(&out, &next).unwrap_err();
        assert!(error.to_string().contains("src/b.rs"), "the error names the path: {error}");
        assert_eq!(snapshot(&out), before);
        assert_eq!(fs::read_to_string(root.join("shared-readme.md")).unwrap(), "one");
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_file_the_generator_did_not_write_is_never_replaced_by_one_it_writes_now() {
        let out = scratch("newpath").join("crate");
        write_tree(&out, &files(&[("src/lib.rs", "one")])).unwrap();
        fs::create_dir_all(out.join("runtime/src")).unwrap();
        fs::write(out.join("runtime/src/lib.rs"), "my own runtime").unwrap();
        let before = snapshot(&out);

        // A newer generator writes a runtime crate where the user keeps files of their own.
        let next = files(&[("src/lib.rs", "two"), ("runtime/Cargo.toml", "new"), ("runtime/src/lib.rs", "new")]);
        let error = write_tree(&out, &next).unwrap_err();
        assert!(matches!(error, WriteError::WouldReplace { .. }), "{error}");
        assert!(error.to_string().contains("runtime/src/lib.rs"), "the error names the file: {error}");
        assert_eq!(snapshot(&out), before, "nothing was written");

        // The same contents are not someone else's to lose: the run goes ahead.
        fs::write(out.join("runtime/src/lib.rs"), "new").unwrap();
        write_tree(&out, &next).unwrap();
        assert_eq!(fs::read_to_string(out.join("runtime/Cargo.toml")).unwrap(), "new");
        fs::remove_dir_all(out.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_second_run_replaces_and_deletes_only_what_the_first_wrote() {
        let out = scratch("rerun").join("crate");
        write_tree(&out, &files(&[("src/lib.rs", "one"), ("src/old.rs", "old")])).unwrap();
        fs::create_dir_all(out.join("tests")).unwrap();
        fs::write(out.join("tests/mine.rs"), "mine").unwrap();
        fs::write(out.join("src/notes.txt"), "my notes").unwrap();
        fs::create_dir_all(out.join("target/debug")).unwrap();
        fs::write(out.join("target/debug/big"), "build output").unwrap();

        let next = files(&[("src/lib.rs", "two")]);
        assert_eq!(
            stale_files(&out, &next).unwrap(),
            vec![".clientgen-manifest", "src/lib.rs", "src/old.rs (should not exist)"]
        );
        write_tree(&out, &next).unwrap();
        assert!(stale_files(&out, &next).unwrap().is_empty());
        assert_eq!(fs::read_to_string(out.join("src/lib.rs")).unwrap(), "two");
        assert!(!out.join("src/old.rs").exists());
        for (kept, text) in
            [("tests/mine.rs", "mine"), ("src/notes.txt", "my notes"), ("target/debug/big", "build output")]
        {
            assert_eq!(fs::read_to_string(out.join(kept)).unwrap(), text, "{kept}");
        }
        fs::remove_dir_all(out.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_folder_the_generator_did_not_write_is_refused_untouched() {
        let project = scratch("foreign");
        fs::write(project.join("Cargo.toml"), "[package]\nname = \"mine\"\n").unwrap();
        fs::create_dir_all(project.join("src")).unwrap();
        fs::write(project.join("src/main.rs"), "fn main() {}").unwrap();
        let error = write_tree(&project, &files(&[("Cargo.toml", "generated")])).unwrap_err();
        assert!(matches!(error, WriteError::NotOurs { .. }));
        assert!(error.to_string().contains(&project.display().to_string()), "{error}");
        assert_eq!(fs::read_to_string(project.join("Cargo.toml")).unwrap(), "[package]\nname = \"mine\"\n");
        assert!(project.join("src/main.rs").exists());
        assert!(!project.join(MANIFEST).exists());
        fs::remove_dir_all(project).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_stay_symlinks_and_permissions_stay() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let root = scratch("links");
        let out = root.join("crate");
        write_tree(&out, &files(&[("README.md", "one"), ("src/lib.rs", "one"), ("src/gone.rs", "x")])).unwrap();
        // The user keeps the README elsewhere, makes lib.rs read-only for others, and links a
        // file of theirs where a generated file used to be.
        fs::rename(out.join("README.md"), root.join("shared-readme.md")).unwrap();
        symlink(root.join("shared-readme.md"), out.join("README.md")).unwrap();
        fs::set_permissions(out.join("src/lib.rs"), fs::Permissions::from_mode(0o640)).unwrap();
        fs::remove_file(out.join("src/gone.rs")).unwrap();
        fs::write(root.join("theirs.rs"), "theirs").unwrap();
        symlink(root.join("theirs.rs"), out.join("src/gone.rs")).unwrap();

        write_tree(&out, &files(&[("README.md", "two"), ("src/lib.rs", "two")])).unwrap();
        assert!(fs::symlink_metadata(out.join("README.md")).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(root.join("shared-readme.md")).unwrap(), "two");
        assert_eq!(fs::metadata(out.join("src/lib.rs")).unwrap().permissions().mode() & 0o777, 0o640);
        assert!(
            fs::symlink_metadata(out.join("src/gone.rs")).unwrap().file_type().is_symlink(),
            "a link is never deleted"
        );
        assert_eq!(fs::read_to_string(root.join("theirs.rs")).unwrap(), "theirs");
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_folder_generated_before_manifests_is_recognised_by_its_preamble() {
        let out = scratch("legacy");
        let generated = format!("# {PREAMBLE}\n[package]\n");
        fs::write(out.join("Cargo.toml"), &generated).unwrap();
        fs::create_dir_all(out.join("src")).unwrap();
        fs::write(out.join("src/old.rs"), format!("// {PREAMBLE}\n")).unwrap();
        fs::write(out.join("src/handmade.rs"), "// mine\n").unwrap();
        write_tree(&out, &files(&[("Cargo.toml", "new")])).unwrap();
        assert!(!out.join("src/old.rs").exists());
        assert!(out.join("src/handmade.rs").exists());
        assert!(out.join(MANIFEST).exists());
        fs::remove_dir_all(out).unwrap();
    }
}
