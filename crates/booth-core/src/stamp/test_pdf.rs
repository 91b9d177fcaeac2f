//! A PDF written from its objects (1, 2, … in order) with a correct cross-reference table:
//! the test PDFs of the stamping tests and benchmark are built with it (booth-testkit's
//! stamped_pdfs.rs and benches/licensing include this file by path).

/// `trailer` is added to the trailer after `/Size` and `/Root 1 0 R` (a later key wins).
pub fn with_xref<S: AsRef<str>>(objects: &[S], trailer: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", n + 1, body.as_ref()).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
