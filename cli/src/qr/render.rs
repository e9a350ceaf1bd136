//! The API's SVG, drawn by a real SVG renderer (resvg) and read back by a QR decoder (rqrr).
//! QR generators write everything SVG allows: module rects, one path of runs, rows drawn as
//! 1-unit strokes, transforms, `mm` sizes, prefixed elements, circles, `<use>`, paint in
//! `style=`, transparent backgrounds, no quiet zone. A renderer handles all of that; what this
//! module adds is what a phone's camera would also need: an opaque white backdrop and a quiet
//! zone around whatever the file drew.

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg;

/// The longest sides, in pixels, the image is drawn at, tried in turn until a code decodes.
/// rqrr wants 4 or more pixels per module: 720 px gives that up to 180 modules (with the
/// quiet zone, version 39); 1440 px covers version 40 and a generator's wide margins, at four
/// times the cost, paid only when the first size fails.
const SIDES: [f32; 2] = [720.0, 1440.0];

/// The white margin added around the drawn image, as a share of its longest side. A version-1
/// code drawn with no quiet zone needs 4 of its 21 modules (19 %) on each side; 25 % covers it.
const MARGIN_SHARE: f32 = 0.25;

/// SVG documents larger than this are not rendered (the corpus of real generators tops out
/// near 220 kB); a hostile or broken answer must not make the CLI use unbounded memory.
pub const MAX_SVG_BYTES: usize = 4 * 1024 * 1024;

/// An SVG drawn on white with a quiet zone: what is decoded, and what is saved as PNG.
pub struct Image {
    pixmap: Pixmap,
}

/// Reads `svg`: the image it draws (none when it is too large, not SVG, or has no area) and the
/// payload of the QR code in it (none when no code decodes at any size tried).
pub fn read(svg: &str) -> (Option<Image>, Option<String>) {
    let Some(tree) = parse(svg) else {
        return (None, None);
    };
    let mut first = None;
    for side in SIDES {
        let Some(image) = Image::render(&tree, side) else {
            break;
        };
        if let Some(payload) = image.decode() {
            return (Some(image), Some(payload));
        }
        first.get_or_insert(image);
    }
    (first, None)
}

fn parse(svg: &str) -> Option<usvg::Tree> {
    if svg.len() > MAX_SVG_BYTES {
        return None;
    }
    let options = usvg::Options {
        // The default resolver reads any local file an `<image href>` names (even
        // `/dev/zero`): an answer from the network must not reach the file system.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(svg, &options).ok()
}

impl Image {
    /// Draws `tree` with its longest side `side` pixels long, on white, with the margin.
    fn render(tree: &usvg::Tree, side: f32) -> Option<Image> {
        let size = tree.size();
        let scale = side / size.width().max(size.height());
        let width = (size.width() * scale).round().max(1.0);
        let height = (size.height() * scale).round().max(1.0);
        let margin = (width.max(height) * MARGIN_SHARE).round();
        // Both sides are at most 1.5 × `side` (the longer side is `side`).
        let mut pixmap = Pixmap::new(
            (width + 2.0 * margin) as u32,
            (height + 2.0 * margin) as u32,
        )?;
        pixmap.fill(Color::WHITE);
        let transform = Transform::from_translate(margin, margin).pre_scale(scale, scale);
        resvg::render(tree, transform, &mut pixmap.as_mut());
        Some(Image { pixmap })
    }

    /// The payload of the QR code in the image, or `None` when no code decodes. A code drawn
    /// light on dark is read too (some generators offer it, and phones read it).
    fn decode(&self) -> Option<String> {
        let (width, height) = (self.pixmap.width() as usize, self.pixmap.height() as usize);
        let pixels = self.pixmap.pixels();
        // The backdrop is opaque, so every pixel is too: premultiplied = straight colour.
        let luma = |x: usize, y: usize| {
            let p = pixels[y * width + x];
            let l =
                (299 * u32::from(p.red()) + 587 * u32::from(p.green()) + 114 * u32::from(p.blue()))
                    / 1000;
            l as u8
        };
        [false, true].into_iter().find_map(|inverted| {
            let mut prepared =
                rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
                    if inverted {
                        255 - luma(x, y)
                    } else {
                        luma(x, y)
                    }
                });
            prepared
                .detect_grids()
                .into_iter()
                .find_map(|grid| grid.decode().ok().map(|(_, content)| content))
        })
    }

    /// The image as a PNG file's bytes.
    pub fn png(&self) -> Option<Vec<u8>> {
        self.pixmap.encode_png().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_corpus_decodes_to_its_payload() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qr-svg");
        let payload = std::fs::read_to_string(format!("{folder}/payload.txt")).expect("payload");
        let mut failed = Vec::new();
        let mut count = 0;
        for entry in std::fs::read_dir(folder).expect("the corpus") {
            let path = entry.expect("an entry").path();
            if path.extension().is_none_or(|e| e != "svg") {
                continue;
            }
            count += 1;
            let svg = std::fs::read_to_string(&path).expect("svg");
            let t = std::time::Instant::now();
            let got = read(&svg).1;
            eprintln!("{} {:?}", path.display(), t.elapsed());
            if got.as_deref() != Some(payload.trim_end()) {
                failed.push(path);
            }
        }
        assert_eq!(count, 16);
        assert!(failed.is_empty(), "{failed:#?}");
    }

    /// Other generators' styles, made with the `qrcode` crate's SVG renderer: every version
    /// range, with and without a quiet zone, transparent or coloured, square or stretched.
    #[test]
    fn the_qrcode_crates_svgs_of_every_style_decode() {
        use qrcode::render::svg;
        let styles = [
            (true, "#ffffff", "#000000", (1, 1)),
            (false, "transparent", "#000000", (8, 8)),
            (false, "#ECE5DD", "#128C7E", (3, 3)),
            (true, "none", "rgb(20,20,20)", (10, 11)),
            // Light on dark, as some generators offer.
            (true, "#000000", "#ffffff", (4, 4)),
        ];
        let cases = [
            (10, qrcode::EcLevel::H, [0, 1, 2, 3].as_slice()),
            (165, qrcode::EcLevel::M, &[0, 1, 2, 3, 4]),
            (400, qrcode::EcLevel::Q, &[1, 3]),
            (1200, qrcode::EcLevel::L, &[0, 2]),
            // Version 40 with its quiet zone: 185 modules, too many for the first size.
            (2900, qrcode::EcLevel::L, &[0]),
        ];
        let mut failed = Vec::new();
        for (len, ec, chosen) in cases {
            let payload: String = (0..len)
                .map(|i| char::from(b'!' + (i * 7 % 90) as u8))
                .collect();
            let code = qrcode::QrCode::with_error_correction_level(&payload, ec).expect("encodes");
            for &(quiet, light, dark, (mw, mh)) in chosen.iter().map(|&i| &styles[i]) {
                let image = code
                    .render::<svg::Color>()
                    .quiet_zone(quiet)
                    .light_color(svg::Color(light))
                    .dark_color(svg::Color(dark))
                    .module_dimensions(mw, mh)
                    .build();
                if read(&image).1.as_deref() != Some(payload.as_str()) {
                    failed.push((len, quiet, light, dark, (mw, mh)));
                }
            }
        }
        assert!(failed.is_empty(), "{failed:?}");
    }

    /// Any folder of generators' SVGs, each `NAME.svg` beside its payload in `NAME.txt`:
    /// `WITI_QR_SVG_DIR=folder cargo test -p witi-cli --lib -- --ignored any_folder`.
    /// Not run by default (the folder is made on a machine with the generators installed).
    #[test]
    #[ignore = "needs WITI_QR_SVG_DIR"]
    fn any_folder_of_svgs_decodes_to_their_payloads() {
        let folder = std::env::var("WITI_QR_SVG_DIR").expect("WITI_QR_SVG_DIR");
        let mut failed = Vec::new();
        let mut count = 0;
        for entry in std::fs::read_dir(folder).expect("the folder") {
            let path = entry.expect("an entry").path();
            if path.extension().is_none_or(|e| e != "svg") {
                continue;
            }
            let Ok(payload) = std::fs::read_to_string(path.with_extension("txt")) else {
                continue;
            };
            count += 1;
            let svg = std::fs::read_to_string(&path).expect("svg");
            if read(&svg).1.as_deref() != Some(payload.trim_end()) {
                failed.push(path);
            }
        }
        eprintln!("{count} files, {} failed", failed.len());
        assert!(count > 0 && failed.is_empty(), "{failed:#?}");
    }

    /// An answer from the network must not make the CLI read local files: an `<image>`
    /// naming a file that holds a QR code draws nothing (the default resolver would draw it).
    #[test]
    fn an_image_naming_a_local_file_is_not_read() {
        let dir = tempfile::tempdir().expect("a folder");
        let inner = dir.path().join("qr.svg");
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qr-svg");
        std::fs::copy(format!("{folder}/segno_default.svg"), &inner).expect("copied");
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 57 57"><image href="{}" width="57" height="57"/></svg>"#,
            inner.display()
        );
        assert_eq!(read(&svg).1, None);
    }

    /// Inputs that could cost unbounded memory come back with no payload: a document over
    /// the size limit, and `<use>` references nested to expand 10^12 times.
    #[test]
    fn hostile_documents_are_refused() {
        let mut big = String::from(r#"<svg xmlns="http://www.w3.org/2000/svg">"#);
        while big.len() <= MAX_SVG_BYTES {
            big.push_str("<!-- padding padding padding padding padding padding -->");
        }
        big.push_str("</svg>");
        assert!(parse(&big).is_none());

        let mut bomb = String::from(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs><rect id="l0" width="1" height="1"/>"#,
        );
        for level in 1..=12 {
            bomb.push_str(&format!("<g id=\"l{level}\">"));
            for _ in 0..10 {
                bomb.push_str(&format!("<use xlink:href=\"#l{}\"/>", level - 1));
            }
            bomb.push_str("</g>");
        }
        bomb.push_str(r##"</defs><use xlink:href="#l12"/></svg>"##);
        assert_eq!(read(&bomb).1, None);
    }
}
