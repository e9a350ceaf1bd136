//! A small rasterizer for the SVG documents QR generators write: `<rect>` and `<path>`
//! elements made of straight lines (`M L H V Z`, absolute and relative), filled by the nonzero
//! rule, painted in document order. That covers the API's QR images (and the simulator's, one
//! path of module runs) without pulling a full SVG renderer into the CLI. Curves, transforms
//! and gradients are not drawn: an image that uses them fails to decode, and `connect` falls
//! back to saving the SVG for the user to open.

/// A greyscale bitmap, row-major, 0 = ink, 255 = paper.
pub struct Bitmap {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// The longest side of the bitmap we draw into: enough pixels per module for any QR version.
const TARGET_SIDE: f64 = 720.0;

/// Rasterizes `svg`. `None` when the document has no usable size.
pub fn rasterize(svg: &str) -> Option<Bitmap> {
    let root = elements(svg).find(|(name, _)| *name == "svg")?.1;
    let (min_x, min_y, w, h) = view_box(root)?;
    let scale = (TARGET_SIDE / w.max(h)).clamp(0.5, 64.0);
    let width = (w * scale).round().max(1.0) as usize;
    let height = (h * scale).round().max(1.0) as usize;
    let mut bitmap = Bitmap {
        width,
        height,
        pixels: vec![255; width * height],
    };
    let to_px = |x: f64, y: f64| ((x - min_x) * scale, (y - min_y) * scale);
    for (name, attrs) in elements(svg) {
        let Some(ink) = paint(attrs) else { continue };
        let shape: Vec<Vec<(f64, f64)>> = match name {
            "rect" => rect(attrs).into_iter().collect(),
            "path" => attr(attrs, "d").map(path).unwrap_or_default(),
            _ => continue,
        };
        let shape: Vec<Vec<(f64, f64)>> = shape
            .into_iter()
            .map(|poly| poly.into_iter().map(|(x, y)| to_px(x, y)).collect())
            .collect();
        fill_nonzero(&mut bitmap, &shape, ink);
    }
    Some(bitmap)
}

/// `(name, attribute text)` of every start tag, in document order.
fn elements(svg: &str) -> impl Iterator<Item = (&str, &str)> {
    svg.split('<').skip(1).filter_map(|tag| {
        let tag = tag.split('>').next()?;
        if tag.starts_with(['/', '?', '!']) {
            return None;
        }
        let name_end = tag
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(tag.len());
        Some((&tag[..name_end], &tag[name_end..]))
    })
}

/// The value of attribute `name` (quoted with `"` or `'`).
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(at) = rest.find(name) {
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace());
        let after = rest[at + name.len()..].trim_start();
        if before_ok && let Some(after) = after.strip_prefix('=') {
            let after = after.trim_start();
            let quote = after.chars().next()?;
            if quote == '"' || quote == '\'' {
                let value = &after[1..];
                return value.find(quote).map(|end| &value[..end]);
            }
        }
        rest = &rest[at + name.len()..];
    }
    None
}

fn number(text: &str) -> Option<f64> {
    let text = text.trim().trim_end_matches("px");
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn view_box(root: &str) -> Option<(f64, f64, f64, f64)> {
    if let Some(vb) = attr(root, "viewBox") {
        let n: Vec<f64> = vb
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .filter_map(number)
            .collect();
        if let [x, y, w, h] = n[..]
            && w > 0.0
            && h > 0.0
        {
            return Some((x, y, w, h));
        }
    }
    let w = number(attr(root, "width")?)?;
    let h = number(attr(root, "height")?)?;
    (w > 0.0 && h > 0.0).then_some((0.0, 0.0, w, h))
}

/// The grey level an element paints with, or `None` when it paints nothing.
fn paint(attrs: &str) -> Option<u8> {
    let style_fill = attr(attrs, "style").and_then(|style| {
        style.split(';').find_map(|decl| {
            let (k, v) = decl.split_once(':')?;
            (k.trim() == "fill").then(|| v.trim())
        })
    });
    let fill = style_fill
        .or_else(|| attr(attrs, "fill"))
        .unwrap_or("black");
    grey(fill)
}

/// Luminance of a CSS colour, as ink (0) or paper (255): QR images are two-coloured.
fn grey(color: &str) -> Option<u8> {
    let color = color.trim().to_ascii_lowercase();
    let (r, g, b) = match color.as_str() {
        "none" | "transparent" => return None,
        "white" => (255, 255, 255),
        "black" => (0, 0, 0),
        c if c.starts_with('#') => {
            let hex = &c[1..];
            let digits: Vec<u32> = hex.chars().filter_map(|c| c.to_digit(16)).collect();
            match digits[..] {
                [r, g, b] => (r * 17, g * 17, b * 17),
                [r1, r2, g1, g2, b1, b2, ..] => (r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2),
                _ => (0, 0, 0),
            }
        }
        c if c.starts_with("rgb(") => {
            let n: Vec<u32> = c[4..]
                .trim_end_matches(')')
                .split(',')
                .filter_map(|v| v.trim().parse().ok())
                .collect();
            match n[..] {
                [r, g, b] => (r, g, b),
                _ => (0, 0, 0),
            }
        }
        _ => (0, 0, 0),
    };
    let luminance = (299 * r + 587 * g + 114 * b) / 1000;
    Some(if luminance >= 128 { 255 } else { 0 })
}

fn rect(attrs: &str) -> Option<Vec<(f64, f64)>> {
    let get = |name| attr(attrs, name).and_then(number);
    let (x, y) = (get("x").unwrap_or(0.0), get("y").unwrap_or(0.0));
    let (w, h) = (get("width")?, get("height")?);
    Some(vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
}

/// The closed polygons of a path of straight lines. Unknown commands end the parse (what was
/// read so far is kept).
fn path(d: &str) -> Vec<Vec<(f64, f64)>> {
    let mut polys: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let (mut x, mut y) = (0.0, 0.0);
    let mut tokens = Tokens { rest: d };
    let mut command = 'M';
    while let Some(token) = tokens.next() {
        let c = match token {
            Token::Command(c) => {
                command = c;
                if matches!(c, 'Z' | 'z') {
                    if let Some(&start) = current.first() {
                        (x, y) = start;
                        polys.push(std::mem::take(&mut current));
                    }
                    continue;
                }
                match tokens.number() {
                    Some(n) => n,
                    None => break,
                }
            }
            Token::Number(n) => n,
        };
        let relative = command.is_ascii_lowercase();
        let (dx, dy) = if relative { (x, y) } else { (0.0, 0.0) };
        match command.to_ascii_uppercase() {
            'M' | 'L' => {
                let Some(c2) = tokens.number() else { break };
                (x, y) = (c + dx, c2 + dy);
                if command.eq_ignore_ascii_case(&'M') {
                    if current.len() > 1 {
                        polys.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    // Further pairs after a moveto are linetos.
                    command = if relative { 'l' } else { 'L' };
                }
                current.push((x, y));
            }
            'H' => {
                x = c + dx;
                current.push((x, y));
            }
            'V' => {
                y = c + dy;
                current.push((x, y));
            }
            _ => break,
        }
    }
    if current.len() > 1 {
        polys.push(current);
    }
    polys
}

enum Token {
    Command(char),
    Number(f64),
}

struct Tokens<'a> {
    rest: &'a str,
}

impl Tokens<'_> {
    fn next(&mut self) -> Option<Token> {
        self.rest = self
            .rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        let c = self.rest.chars().next()?;
        if c.is_ascii_alphabetic() && c != 'e' && c != 'E' {
            self.rest = &self.rest[1..];
            return Some(Token::Command(c));
        }
        self.number().map(Token::Number)
    }

    fn number(&mut self) -> Option<f64> {
        self.rest = self
            .rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        let bytes = self.rest.as_bytes();
        let mut end = 0;
        let mut seen_dot = false;
        while end < bytes.len() {
            let b = bytes[end];
            let sign_ok =
                (b == b'-' || b == b'+') && (end == 0 || matches!(bytes[end - 1], b'e' | b'E'));
            if b.is_ascii_digit() || sign_ok {
            } else if b == b'.' && !seen_dot {
                seen_dot = true;
            } else if (b == b'e' || b == b'E') && end > 0 {
            } else {
                break;
            }
            end += 1;
        }
        let n = self.rest[..end].parse().ok()?;
        self.rest = &self.rest[end..];
        Some(n)
    }
}

/// Fills the polygons by the nonzero winding rule, sampling each pixel at its centre.
fn fill_nonzero(bitmap: &mut Bitmap, polys: &[Vec<(f64, f64)>], ink: u8) {
    let edges: Vec<((f64, f64), (f64, f64))> = polys
        .iter()
        .flat_map(|poly| {
            poly.iter()
                .zip(poly.iter().cycle().skip(1))
                .map(|(&a, &b)| (a, b))
        })
        .filter(|((_, y0), (_, y1))| y0 != y1)
        .collect();
    if edges.is_empty() {
        return;
    }
    let mut crossings: Vec<(f64, i32)> = Vec::new();
    for row in 0..bitmap.height {
        let yc = row as f64 + 0.5;
        crossings.clear();
        for &((x0, y0), (x1, y1)) in &edges {
            let (lo, hi) = if y0 < y1 { (y0, y1) } else { (y1, y0) };
            if yc >= lo && yc < hi {
                let x = x0 + (yc - y0) * (x1 - x0) / (y1 - y0);
                crossings.push((x, if y1 > y0 { 1 } else { -1 }));
            }
        }
        crossings.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut winding = 0;
        for pair in crossings.windows(2) {
            winding += pair[0].1;
            if winding != 0 {
                let from = (pair[0].0 - 0.5).ceil().max(0.0) as usize;
                let to = ((pair[1].0 - 0.5).ceil().max(0.0) as usize).min(bitmap.width);
                for px in &mut bitmap.pixels[row * bitmap.width..][from.min(to)..to] {
                    *px = ink;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ink_at(b: &Bitmap, x: f64, y: f64, per_unit: f64) -> bool {
        let (px, py) = ((x * per_unit) as usize, (y * per_unit) as usize);
        b.pixels[py * b.width + px] == 0
    }

    #[test]
    fn runs_rects_and_relative_paths_fill_where_they_should() {
        let svg = r##"<svg viewBox="0 0 10 10"><rect width="10" height="10" fill="#FFF"/>
            <path d="M1 1h3v1h-3z m5 5 l2 0 0 2 -2 0 z"/><rect x="0" y="9" width="1" height="1" style="fill: #000"/></svg>"##;
        let b = rasterize(svg).expect("rasterizes");
        let unit = b.width as f64 / 10.0;
        assert!(ink_at(&b, 1.5, 1.5, unit) && ink_at(&b, 3.5, 1.5, unit));
        assert!(!ink_at(&b, 4.5, 1.5, unit) && !ink_at(&b, 1.5, 2.5, unit));
        assert!(ink_at(&b, 6.5, 6.5, unit) && ink_at(&b, 7.5, 7.5, unit));
        assert!(!ink_at(&b, 8.5, 8.5, unit));
        assert!(ink_at(&b, 0.5, 9.5, unit));
        assert!(!ink_at(&b, 5.5, 5.5, unit));
    }

    #[test]
    fn documents_without_size_or_with_garbage_do_not_panic() {
        assert!(rasterize("no svg here").is_none());
        assert!(rasterize("<svg width=\"0\" height=\"5\">").is_none());
        let b = rasterize("<svg viewBox=\"0 0 4 4\"><path d=\"M1 1 C 2 2 x q\"/><rect/>")
            .expect("sized");
        assert!(b.pixels.iter().all(|&p| p == 255));
    }
}
