//! Where each position of a loaded document came from: the document as the user wrote it
//! (a Swagger 2.0 document is converted, so its positions move), the overlay action that
//! wrote a part, or the file a part was bundled from. Load learns it and keeps it with the
//! document; diagnostics are placed by it once they are collected.

use crate::diag::{Diagnostic, PointerMap, bundled_origin};

/// The history of a loaded document's positions.
#[derive(Debug, Default, Clone)]
pub struct Origins {
    /// How the positions of a converted (Swagger 2.0) document map to the document as
    /// written; empty for a document that was not converted.
    converted: PointerMap,
    /// Parts an overlay wrote, longest match first when placing.
    overlaid: Vec<Overlaid>,
}

/// A part of the document an overlay action wrote.
#[derive(Debug, Clone)]
struct Overlaid {
    /// Where it stands in the document as written.
    at: String,
    /// The overlay file, as diagnostics name it.
    file: String,
    /// Where its text is in the overlay (`/actions/3/update/type`).
    source: String,
}

impl Origins {
    /// Records that the overlay `file` wrote what stands at `at`, from its text at `source`.
    pub(super) fn record_overlaid(&mut self, at: String, file: &str, source: String) {
        self.overlaid.push(Overlaid { at, file: file.to_owned(), source });
    }

    /// Records how a conversion moved the document's positions.
    pub(super) fn set_converted(&mut self, converted: PointerMap) {
        self.converted = converted;
    }

    /// The position in the document as written of a position in the loaded document.
    pub fn original(&self, pointer: &str) -> String {
        self.converted.original(pointer)
    }

    /// Places diagnostics about the document as written (named `file`): one about a part an
    /// overlay wrote names the overlay action, one about a bundled part names its file.
    pub fn place_written(&self, items: &mut [Diagnostic], file: &str) {
        for item in items.iter_mut().filter(|item| item.file == file) {
            self.place(item, file);
        }
    }

    /// Places diagnostics about the loaded document (named `file`): first back to the
    /// document as written, then as [`place_written`](Self::place_written) does.
    pub fn place_loaded(&self, items: &mut [Diagnostic], file: &str) {
        for item in items.iter_mut().filter(|item| item.file == file) {
            item.pointer = self.original(&item.pointer);
            self.place(item, file);
        }
    }

    fn place(&self, item: &mut Diagnostic, file: &str) {
        if let Some((overlay, pointer)) = self.overlay_source(&item.pointer) {
            (item.file, item.pointer) = (overlay, pointer);
        } else if let Some((bundled, inner)) = bundled_origin(&item.pointer) {
            (item.file, item.pointer) = (crate::diag::beside(file, &bundled), inner);
        }
    }

    /// The overlay text a position came from, when an overlay wrote it.
    fn overlay_source(&self, pointer: &str) -> Option<(String, String)> {
        self.overlaid
            .iter()
            .filter(|o| {
                pointer == o.at || pointer.strip_prefix(o.at.as_str()).is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|o| o.at.len())
            .map(|o| (o.file.clone(), format!("{}{}", o.source, &pointer[o.at.len()..])))
    }
}
