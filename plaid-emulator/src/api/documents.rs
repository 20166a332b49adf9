//! The documents the binary operations answer (issue 30, item 4): a one-page PDF naming the
//! operation for the `application/pdf` ones (`/asset_report/pdf/get`, `/statements/download`,
//! …), and for `/income/verification/documents/download`, whose spec declares
//! `application/zip` ("a ZIP file containing source documents(s) used as the basis for income
//! verification"), a ZIP holding such a PDF. Written here, a few dozen lines each, rather than
//! with a crate: both formats are fixed byte layouts, and the tests open them with strict
//! parsers (`lopdf`, `zip`).

use std::fmt::Write as _;

/// A PDF 1.4 document of one US-letter page showing `text` in Helvetica, with a valid
/// cross-reference table (each entry the byte offset of its object), so a reader opens it
/// without repairing it. `text` is written as a PDF string: `(`, `)` and `\` are escaped and
/// anything outside printable ASCII becomes `?`.
pub(crate) fn pdf(text: &str) -> Vec<u8> {
    let shown: String = text
        .chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .flat_map(|c| match c {
            '(' | ')' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let content = format!("BT /F1 14 Tf 72 720 Td ({shown}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (k, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        let _ = write!(out, "{} 0 obj\n{object}\nendobj\n", k + 1);
    }
    let xref = out.len();
    // Every entry is exactly 20 bytes: ten digits, five digits, a keyword, then " \n".
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(out, "{offset:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.into_bytes()
}

/// The DOS date of every entry: 2024-01-02 (years from 1980, month, day), at 00:00.
const DOS_DATE: u16 = ((2024 - 1980) << 9) | (1 << 5) | 2;

/// A ZIP archive of `entries` (name, content), each stored uncompressed with its CRC-32, local
/// headers then the central directory and its end record, as APPNOTE.TXT lays them out.
/// Names and contents are small (they are ours), so every size fits its 32-bit field.
pub(crate) fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let common = |buf: &mut Vec<u8>| {
            put(buf, &[20, 0, 0]); // version needed 2.0, flags, method 0 (stored)
            buf.extend_from_slice(&0u16.to_le_bytes()); // time 00:00
            buf.extend_from_slice(&DOS_DATE.to_le_bytes());
            for n in [crc, size, size] {
                buf.extend_from_slice(&n.to_le_bytes());
            }
            buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes()); // no extra field
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by 2.0
        common(&mut central);
        put(&mut central, &[0, 0, 0]); // comment, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let (at, len, count) = (out.len() as u32, central.len() as u32, entries.len() as u16);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    put(&mut out, &[0, 0, count, count]); // this disk, the directory's disk, entries twice
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    put(&mut out, &[0]); // no comment
    out
}

/// 16-bit little-endian fields, in order.
fn put(buf: &mut Vec<u8>, fields: &[u16]) {
    for field in fields {
        buf.extend_from_slice(&field.to_le_bytes());
    }
}

/// CRC-32 (ISO-HDLC, the one ZIP uses: reflected polynomial 0xEDB88320), bit by bit: the
/// documents are a few hundred bytes.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn every_xref_entry_points_at_its_object() {
        let doc = pdf("statementsDownload (a test)");
        let text = String::from_utf8(doc).unwrap();
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[start..].starts_with("xref\n0 6\n"));
        let entries = text[start..].lines().skip(3).take(5);
        for (k, entry) in entries.enumerate() {
            assert_eq!(entry.len(), 19, "{entry:?}"); // 20 with its newline
            let offset: usize = entry[..10].parse().unwrap();
            assert!(
                text[offset..].starts_with(&format!("{} 0 obj", k + 1)),
                "{k}"
            );
        }
        assert!(text.contains("(statementsDownload \\(a test\\)) Tj"));
    }

    #[test]
    fn a_zip_ends_with_its_directory_naming_every_entry() {
        let archive = zip(&[("a.txt", b"hello"), ("b.pdf", b"%PDF")]);
        let end = archive.len() - 22;
        assert_eq!(archive[end..end + 4], 0x0605_4b50u32.to_le_bytes());
        assert_eq!(
            u16::from_le_bytes([archive[end + 10], archive[end + 11]]),
            2
        );
        assert_eq!(&archive[30..35], b"a.txt");
        assert_eq!(&archive[35..40], b"hello");
    }
}
