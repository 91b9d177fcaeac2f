//! The lopdf work: an incremental update (ISO 32000-1, 7.5.6) that leaves the seller's bytes
//! as they are and appends a font, one small content stream per page, the pages it changed
//! and a new cross-reference section. Outlines, links, metadata and everything else the
//! file holds are never rewritten, so they can't be lost.

use super::layout::{inherited, page_box, stamp_content};
use lopdf::{Dictionary, IncrementalDocument, Object, ObjectId, Stream};

/// Why a file can't be stamped.
#[derive(Debug)]
pub enum Refusal {
    Encrypted,
    Damaged(String),
    /// Writing the result failed (a full disk): nothing to do with the file.
    Io(std::io::Error),
}

pub(super) fn damaged(reason: impl Into<String>) -> Refusal {
    Refusal::Damaged(reason.into())
}

/// Reads the file, refusing what can't be stamped without guessing at it.
pub fn load(bytes: Vec<u8>) -> Result<IncrementalDocument, Refusal> {
    let doc = lopdf::Document::load_mem(&bytes).map_err(|e| match e {
        lopdf::Error::Decryption(_)
        | lopdf::Error::InvalidPassword
        | lopdf::Error::UnsupportedSecurityHandler(_)
        | lopdf::Error::AlreadyEncrypted => Refusal::Encrypted,
        e => damaged(e.to_string()),
    })?;
    if doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some() {
        return Err(Refusal::Encrypted);
    }
    // An update must point back at the file's own cross-reference data: one that had to be
    // found or rebuilt by guessing would be chained to the wrong place.
    if doc.xref_recovery.is_some() || doc.xref_start == 0 {
        return Err(damaged(
            "its cross-reference table is broken (saving it again from the program that made it repairs that)",
        ));
    }
    Ok(IncrementalDocument::create_from(bytes, doc))
}

/// Stamps every page with `line` (already in WinAnsiEncoding).
pub fn stamp(doc: &mut IncrementalDocument, line: &[u8]) -> Result<(), Refusal> {
    let pages: Vec<ObjectId> = doc.get_prev_documents().page_iter().collect();
    if pages.is_empty() {
        return Err(damaged("it has no pages"));
    }
    let new = &mut doc.new_document;
    let font = add(
        new,
        Dictionary::from_iter([
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"Type1".to_vec())),
            ("BaseFont", Object::Name(b"Helvetica".to_vec())),
            ("Encoding", Object::Name(b"WinAnsiEncoding".to_vec())),
        ]),
    )?;
    // The page's own drawing runs inside q … Q, so a graphics state it leaves changed (a
    // scale, a colour) can't move or hide the stamp after it.
    let open = add(new, Stream::new(Dictionary::new(), b"q\n".to_vec()))?;
    let close = add(new, Stream::new(Dictionary::new(), b"\nQ\n".to_vec()))?;
    for (n, page_id) in pages.into_iter().enumerate() {
        stamp_page(doc, page_id, font, (open, close), line)
            .map_err(|e| damaged(format!("page {}: {}", n + 1, reason(e))))?;
    }
    Ok(())
}

fn add(doc: &mut lopdf::Document, object: impl Into<Object>) -> Result<ObjectId, Refusal> {
    doc.try_add_object(object)
        .map_err(|e| damaged(e.to_string()))
}

fn reason(r: Refusal) -> String {
    match r {
        Refusal::Encrypted => "it is encrypted".into(),
        Refusal::Damaged(m) => m,
        Refusal::Io(e) => e.to_string(),
    }
}

fn stamp_page(
    doc: &mut IncrementalDocument,
    page_id: ObjectId,
    font: ObjectId,
    (open, close): (ObjectId, ObjectId),
    line: &[u8],
) -> Result<(), Refusal> {
    let prev = doc.get_prev_documents();
    let page = prev
        .get_dictionary(page_id)
        .map_err(|e| damaged(e.to_string()))?;
    let bx = page_box(prev, page)?;
    let rotate = inherited(prev, page, b"Rotate")
        .and_then(|r| r.as_i64().ok())
        .unwrap_or(0);
    let contents: Vec<Object> = match page.get(b"Contents") {
        Err(_) | Ok(Object::Null) => Vec::new(),
        Ok(Object::Array(parts)) => parts.clone(),
        Ok(Object::Reference(id)) => match prev.get_object(*id) {
            Ok(Object::Stream(_)) => vec![Object::Reference(*id)],
            Ok(Object::Array(parts)) => parts.clone(),
            _ => return Err(damaged("its contents can't be read")),
        },
        Ok(_) => return Err(damaged("its contents are not a stream")),
    };
    let name = add_font(doc, page_id, font)?;
    let content = stamp_content(&name, line, bx, rotate);
    let new = &mut doc.new_document;
    let stamp = add(new, Stream::new(Dictionary::new(), content))?;
    let mut parts = Vec::with_capacity(contents.len() + 3);
    if !contents.is_empty() {
        parts.push(Object::Reference(open));
        parts.extend(contents);
        parts.push(Object::Reference(close));
    }
    parts.push(Object::Reference(stamp));
    let page = new
        .get_object_mut(page_id)
        .and_then(Object::as_dict_mut)
        .map_err(|e| damaged(e.to_string()))?;
    page.set("Contents", Object::Array(parts));
    Ok(())
}

/// Adds the stamp's font to the page's resources (its own, a shared dictionary, or a copy of
/// the inherited ones) under a name they don't use yet, and returns that name.
fn add_font(
    doc: &mut IncrementalDocument,
    page_id: ObjectId,
    font: ObjectId,
) -> Result<Vec<u8>, Refusal> {
    let bad = |e: lopdf::Error| damaged(format!("its resources can't be read ({e})"));
    let resources = doc
        .get_or_create_resources(page_id)
        .and_then(Object::as_dict_mut)
        .map_err(bad)?;
    let fonts_ref = match resources.get(b"Font") {
        Ok(Object::Reference(id)) => Some(*id),
        Ok(Object::Dictionary(_)) => None,
        _ => {
            resources.set("Font", Dictionary::new());
            None
        }
    };
    let fonts = match fonts_ref {
        Some(id) => {
            doc.opt_clone_object_to_new_document(id).map_err(bad)?;
            doc.new_document
                .get_object_mut(id)
                .and_then(Object::as_dict_mut)
                .map_err(bad)?
        }
        None => doc
            .get_or_create_resources(page_id)
            .and_then(Object::as_dict_mut)
            .and_then(|r| r.get_mut(b"Font"))
            .and_then(Object::as_dict_mut)
            .map_err(bad)?,
    };
    let ours = Object::Reference(font);
    let name = (0..)
        .map(|n| {
            if n == 0 {
                b"BoothStamp".to_vec()
            } else {
                format!("BoothStamp{n}").into_bytes()
            }
        })
        .find(|name| fonts.get(name).map_or(true, |f| *f == ours))
        .expect("a free name");
    fonts.set(name.clone(), ours);
    Ok(name)
}
