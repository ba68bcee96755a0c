//! `warta media regenerate`: remakes the variants of every stored image, after the widths
//! changed or an encoder improved. It can be stopped and run again: an image whose variants
//! are already the ones wanted, and present, is skipped (unless forced).

use std::collections::BTreeSet;

use super::formats;
use super::library::{AddError, MAX_PIXELS};
use super::process;
use super::store::{self, Store};
use super::MediaError;
use crate::db::media::VariantSize;
use crate::db::{self, Conn};

/// Rows read per step of the walk.
const PAGE: i64 = 200;

/// What a regeneration did.
#[derive(Debug, Clone, Default)]
pub struct Regenerated {
    /// Images whose variants were made again.
    pub remade: usize,
    /// Images whose variants were already current.
    pub current: usize,
    /// Images that could not be remade, with why (their rows and files are left as they were).
    pub failed: Vec<(String, String)>,
}

/// What hears, in the transaction that stores them, that the variants of the files of a key
/// changed (the webhook event `media.updated`).
pub type Changed<'a> = &'a dyn Fn(&mut Conn, &str) -> Result<(), db::DbError>;

/// Remakes the variants at `widths` of every image in the library; `progress` hears
/// (images done, images in all) after each, `changed` every key whose variants it stored.
pub fn regenerate(
    store: &dyn Store,
    conn: &mut Conn,
    widths: &[u32],
    force: bool,
    progress: &mut dyn FnMut(usize, usize),
    changed: Changed,
) -> Result<Regenerated, AddError> {
    let total = db::media::distinct_files(conn)?;
    let mut done = Regenerated::default();
    let mut seen = BTreeSet::new();
    let mut after = 0;
    loop {
        let rows = db::media::page_after(conn, after, PAGE)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in rows {
            if !seen.insert(row.file_key.clone()) {
                continue;
            }
            let wanted: Vec<u32> = widths.iter().copied().filter(|w| i64::from(*w) < row.width).collect();
            let stored = row.variant_sizes();
            let present =
                stored.iter().all(|v| store.exists(&store::variant_name(&row.file_key, v.width)).unwrap_or(false));
            let same_widths = stored.iter().map(|v| v.width).collect::<Vec<_>>() == wanted;
            if !force && same_widths && present {
                done.current += 1;
            } else {
                match remake(store, conn, &row, &wanted, changed) {
                    Ok(()) => done.remade += 1,
                    Err(e) => done.failed.push((row.file_key.clone(), e.to_string())),
                }
            }
            progress(done.remade + done.current + done.failed.len(), total as usize);
        }
    }
    Ok(done)
}

fn remake(
    store: &dyn Store,
    conn: &mut Conn,
    row: &db::media::Media,
    widths: &[u32],
    changed: Changed,
) -> Result<(), AddError> {
    let failed = |e: std::io::Error| MediaError::Failed(format!("the media store: {e}"));
    let format = super::library::formats_of(row);
    let original = store
        .get(&store::original_name(&row.file_key, format))
        .map_err(failed)?
        .ok_or_else(|| MediaError::Failed("the original file is missing".into()))?;
    let probe = formats::probe(&original, MAX_PIXELS)?;
    let variants = process::variants_of(&original, probe, widths)?;
    for v in &variants {
        store.put(&store::variant_name(&row.file_key, v.width), &v.bytes).map_err(failed)?;
    }
    let sizes: Vec<VariantSize> = variants.iter().map(|v| VariantSize { width: v.width, height: v.height }).collect();
    db::write(conn, |conn| {
        db::media::set_variants(conn, &row.file_key, &sizes)?;
        changed(conn, &row.file_key)
    })?;
    // Widths no longer made go once no row lists them (the rows were just rewritten).
    for old in row.variant_sizes().iter().filter(|v| !widths.contains(&v.width)) {
        store.delete(&store::variant_name(&row.file_key, old.width)).map_err(failed)?;
    }
    // Bodies showing the image list its variants in their srcset.
    if row.variant_sizes() != sizes {
        db::articles::rerender_bodies_showing(conn, &row.file_key)?;
    }
    Ok(())
}
