//! One self-contained HTML page: inline CSS and SVG, no scripts, nothing
//! fetched.

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;max-width:1280px;\
padding:0 16px;color:#222;line-height:1.45}\
h1{font-size:1.6em;margin-bottom:0.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:4px}\
h3{margin:1.2em 0 0.3em}.meta{color:#555}\
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;text-align:right;border-bottom:1px solid #eee}\
th:first-child,td:first-child{text-align:left}th{background:#f5f5f5}\
.charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}\
.chart{border:1px solid #eee;padding:4px;background:#fff}\
.note{color:#666;font-size:0.92em}.chart-error{color:#b00}\
ol.articles>li{margin-bottom:10px}blockquote{margin:4px 0 4px 16px;color:#333;font-size:0.95em}\
.tag{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:0.8em;margin-right:4px}";

/// An HTML page being assembled, section by section.
#[derive(Debug, Default)]
pub struct Page {
    body: String,
}

impl Page {
    /// A page starting with its title as heading and a line under it.
    pub fn new(title: &str, subtitle: &str) -> Page {
        let mut p = Page::default();
        p.body.push_str(&format!(
            "<h1>{}</h1>\n<p class=\"meta\">{}</p>\n",
            escape(title),
            escape(subtitle)
        ));
        p
    }

    /// A section heading.
    pub fn h2(&mut self, text: &str) {
        self.body.push_str(&format!("<h2>{}</h2>\n", escape(text)));
    }

    /// A sub-heading.
    pub fn h3(&mut self, text: &str) {
        self.body.push_str(&format!("<h3>{}</h3>\n", escape(text)));
    }

    /// A paragraph of plain text.
    pub fn note(&mut self, text: &str) {
        self.body
            .push_str(&format!("<p class=\"note\">{}</p>\n", escape(text)));
    }

    /// Charts (SVG strings) side by side, wrapping.
    pub fn charts(&mut self, charts: &[String]) {
        self.body.push_str("<div class=\"charts\">\n");
        for c in charts {
            self.body.push_str("<div class=\"chart\">");
            self.body.push_str(c);
            self.body.push_str("</div>\n");
        }
        self.body.push_str("</div>\n");
    }

    /// A table of plain-text cells; the first row is the header.
    pub fn table(&mut self, rows: &[Vec<String>]) {
        let mut out = String::from("<table>\n");
        for (i, row) in rows.iter().enumerate() {
            let tag = if i == 0 { "th" } else { "td" };
            out.push_str("<tr>");
            for cell in row {
                out.push_str(&format!("<{tag}>{}</{tag}>", escape(cell)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
        self.body.push_str(&out);
    }

    /// Markup that the caller has escaped.
    pub fn raw(&mut self, html: &str) {
        self.body.push_str(html);
    }

    /// The whole document.
    pub fn finish(self, title: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{}\
             <p class=\"note\">Made by frametag {}.</p>\n</body>\n</html>\n",
            escape(title),
            self.body,
            env!("CARGO_PKG_VERSION")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_the_page_is_whole() {
        let mut p = Page::new("a <b>", "c & d");
        p.table(&[vec!["x".into()], vec!["<script>".into()]]);
        let html = p.finish("t\"");
        assert!(html.contains("a &lt;b&gt;") && html.contains("c &amp; d"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script"));
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
        assert!(!html.contains("http"), "nothing may be fetched");
    }
}
