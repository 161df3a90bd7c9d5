//! Files and folders → the files to ingest, in a stable order.

use crate::{io_cause, IngestError, KNOWN_EXTENSIONS};
use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<IngestError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    // (device, inode) of every directory entered and file listed: symlink loops
    // and files reached twice through links are visited once.
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    for path in paths {
        // An explicitly named path is taken whatever its name or extension.
        match fs::metadata(path) {
            Err(e) => errors.push(IngestError::new(path.display().to_string(), io_cause(&e))),
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut errors, &mut seen),
            Ok(meta) => {
                if seen.insert((meta.dev(), meta.ino())) {
                    files.push(path.clone());
                }
            }
        }
    }
    (files, errors)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

fn has_known_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| KNOWN_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

/// Depth-first walk in sorted path order with an explicit stack (deep trees
/// cannot overflow the call stack): a folder's entries are pushed in reverse so
/// they pop in name order, and a subfolder is expanded where it sorts.
fn walk(
    root: &Path,
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<IngestError>,
    seen: &mut HashSet<(u64, u64)>,
) {
    enum Item {
        Dir(PathBuf),
        File(PathBuf),
    }
    let mut stack = vec![Item::Dir(root.to_path_buf())];
    while let Some(item) = stack.pop() {
        let dir = match item {
            Item::File(path) => {
                files.push(path);
                continue;
            }
            Item::Dir(dir) => dir,
        };
        let meta = match fs::metadata(&dir) {
            Ok(m) => m,
            Err(e) => {
                errors.push(IngestError::new(dir.display().to_string(), io_cause(&e)));
                continue;
            }
        };
        if !seen.insert((meta.dev(), meta.ino())) {
            continue; // already walked (symlink loop or second link)
        }
        let entries = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) => {
                errors.push(IngestError::new(dir.display().to_string(), io_cause(&e)));
                continue;
            }
        };
        let mut names: Vec<PathBuf> = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => {
                    if !is_hidden(&entry.file_name()) {
                        names.push(entry.path());
                    }
                }
                Err(e) => errors.push(IngestError::new(dir.display().to_string(), io_cause(&e))),
            }
        }
        names.sort();
        for path in names.into_iter().rev() {
            // metadata() follows symlinks; a dangling link is reported.
            match fs::metadata(&path) {
                Err(e) => errors.push(IngestError::new(path.display().to_string(), io_cause(&e))),
                Ok(m) if m.is_dir() => stack.push(Item::Dir(path)),
                Ok(m) if m.is_file() => {
                    if has_known_extension(&path) && seen.insert((m.dev(), m.ino())) {
                        stack.push(Item::File(path));
                    }
                }
                Ok(_) => {} // sockets, fifos, devices: never read
            }
        }
    }
}
