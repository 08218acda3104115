//! `segaudit diff OLD.json NEW.json`: reads two stored audit reports and compares them; the model is
//! `report::diff`, its renderers `report::render::diff` (terminal, HTML; JSON is the model itself).

use std::path::Path;

use crate::base::error::Result;
use crate::report::diff::{compare, Diff};
use crate::report::stored::StoredReport;
use crate::spec::Lang;

/// Compares two reports; `lang` is the language of the rendered text.
pub fn diff(old_path: &Path, new_path: &Path, lang: Lang) -> Result<Diff> {
    let (old, new) = (StoredReport::read(old_path)?, StoredReport::read(new_path)?);
    let names = [old_path.display().to_string(), new_path.display().to_string()];
    Ok(compare(&old, &new, names, lang))
}
