//! The API's SVG, drawn by a real SVG renderer (resvg) and read back by a QR decoder (rqrr).
//! QR generators write everything SVG allows: module rects, one path of runs, rows drawn as
//! 1-unit strokes, transforms, `mm` sizes, prefixed elements, circles, `<use>`, paint in
//! `style=`, transparent backgrounds, no quiet zone. A renderer handles all of that; what this
//! module adds is what a phone's camera would also need: an opaque white backdrop and a quiet
//! zone around whatever the file drew.

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg;

/// The longest side, in pixels, the image is drawn at. At 720 px a version-40 code (177
/// modules) still gets 4 pixels per module, enough for rqrr; a larger canvas only costs time.
const TARGET_SIDE: f32 = 720.0;

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

impl Image {
    /// Renders `svg`. `None` when it is too large, not SVG, or has no area.
    pub fn render(svg: &str) -> Option<Image> {
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
        let tree = usvg::Tree::from_str(svg, &options).ok()?;
        let size = tree.size();
        let scale = TARGET_SIDE / size.width().max(size.height());
        let width = (size.width() * scale).round().max(1.0);
        let height = (size.height() * scale).round().max(1.0);
        let margin = (width.max(height) * MARGIN_SHARE).round();
        // Both sides are at most TARGET_SIDE * 1.5 (the longer side is TARGET_SIDE).
        let mut pixmap = Pixmap::new(
            (width + 2.0 * margin) as u32,
            (height + 2.0 * margin) as u32,
        )?;
        pixmap.fill(Color::WHITE);
        let transform = Transform::from_translate(margin, margin).pre_scale(scale, scale);
        resvg::render(&tree, transform, &mut pixmap.as_mut());
        Some(Image { pixmap })
    }

    /// The payload of the QR code in the image, or `None` when no code decodes. A code drawn
    /// light on dark is read too (some generators offer it, and phones read it).
    pub fn decode(&self) -> Option<String> {
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
            let got = Image::render(&svg).and_then(|i| i.decode());
            eprintln!("{} {:?}", path.display(), t.elapsed());
            if got.as_deref() != Some(payload.trim_end()) {
                failed.push(path);
            }
        }
        assert_eq!(count, 16);
        assert!(failed.is_empty(), "{failed:#?}");
    }
}
