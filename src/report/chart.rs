//! The drawing layer of the report's plots and paper figures, on plotters' SVG backend: looks
//! (one per framework and per policy for a whole report), axes with chosen ticks, lines, bars,
//! panels in a grid, and a legend outside the panels.
//!
//! What makes the plots readable, and why it is done here rather than left to plotters'
//! defaults:
//! - legends are drawn beside or below the data area, never over it (they hid the result);
//! - every framework and every policy keeps one look (colour, then dash, then marker) in every
//!   plot of a report, given by its place in a list fixed once per report;
//! - text is at least 12 px when the SVG is shown at its size (plotters' font size is divided by
//!   1.24 in the SVG, so sizes below are given in CSS pixels and converted);
//! - ticks are chosen here: 1-2-5 steps on linear axes, 1-2-5 values on log axes;
//! - many series become small multiples (one panel each) instead of an overlay.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width of every SVG; the report's page is laid out for it.
pub const WIDTH: u32 = 1100;

pub const TICK_PX: f64 = 13.0;
const LEGEND_PX: f64 = 13.0;
const DESC_PX: f64 = 14.0;
const TITLE_PX: f64 = 16.0;
const PANEL_TITLE_PX: f64 = 13.0;
const LEGEND_ROW: u32 = 21;
const TITLE_H: u32 = 34;

/// A font of `px` CSS pixels as plotters writes it into the SVG.
fn font(px: f64) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", px * 1.24).into_font())
}

/// A generous estimate of a text's width in the browser's sans-serif (DejaVu Sans is wide).
fn text_w(s: &str, px: f64) -> f64 {
    s.chars().count() as f64 * px * 0.62
}

// ---------------------------------------------------------------------------------------------
// Looks

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    None,
    Circle,
    Triangle,
    Square,
    Diamond,
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub color: RGBColor,
    pub dash: Dash,
    pub marker: Marker,
}

/// Colour-blind friendly first (Okabe-Ito without its yellow, which is unreadable on white),
/// then four more that stay apart from them. Black is left for the papers' values.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(140, 86, 75),
    RGBColor(117, 112, 179),
    RGBColor(128, 128, 0),
    RGBColor(110, 110, 110),
];

/// The papers' values and other reference marks.
pub const REFERENCE: RGBColor = RGBColor(0, 0, 0);

/// The i-th look: the palette, then the palette dashed, then dotted, then with markers.
pub fn look(i: usize) -> Look {
    const DASHES: [Dash; 3] = [Dash::Solid, Dash::Dashed, Dash::Dotted];
    const MARKERS: [Marker; 4] = [
        Marker::None,
        Marker::Circle,
        Marker::Triangle,
        Marker::Square,
    ];
    let n = PALETTE.len();
    Look {
        color: PALETTE[i % n],
        dash: DASHES[(i / n) % 3],
        marker: MARKERS[(i / (3 * n)) % 4],
    }
}

/// One look per name for a whole report: frameworks by name, policies in summary order.
#[derive(Clone, Debug, Default)]
pub struct Looks {
    names: Vec<String>,
}

impl Looks {
    pub fn new(names: Vec<String>) -> Looks {
        Looks { names }
    }

    /// The name's look; a name not in the list gets one after all listed names.
    pub fn of(&self, name: &str) -> Look {
        match self.names.iter().position(|n| n == name) {
            Some(i) => look(i),
            None => look(self.names.len()),
        }
    }
}

/// The report's looks: frameworks and policies.
#[derive(Clone, Debug, Default)]
pub struct Palette {
    pub frameworks: Looks,
    pub policies: Looks,
}

/// The HTML colour of a look (for the report's swatches).
pub fn css_color(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

// ---------------------------------------------------------------------------------------------
// Axes and ticks

/// An axis: its description, its range in data units, and whether it is logarithmic.
#[derive(Clone, Debug)]
pub struct Axis {
    pub desc: String,
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    /// Ticks wanted on a linear axis (about).
    pub ticks: usize,
}

impl Axis {
    pub fn linear(desc: &str, lo: f64, hi: f64) -> Axis {
        Axis {
            desc: desc.into(),
            lo,
            hi,
            log: false,
            ticks: 8,
        }
    }

    /// A log axis over [lo, hi], widened to the 1-2-5 values around them.
    pub fn log(desc: &str, lo: f64, hi: f64) -> Axis {
        let lo = if lo > 0.0 { lo } else { 1e-3 };
        let hi = hi.max(lo);
        Axis {
            desc: desc.into(),
            lo: step125_floor(lo),
            hi: step125_ceil(hi),
            log: true,
            ticks: 8,
        }
    }

    pub fn with_ticks(mut self, n: usize) -> Axis {
        self.ticks = n;
        self
    }

    /// Data value to chart coordinate.
    fn t(&self, v: f64) -> f64 {
        if self.log {
            v.max(self.lo).log10()
        } else {
            v
        }
    }

    /// The chart range, never empty.
    fn span(&self) -> (f64, f64) {
        let (a, b) = (self.t(self.lo), self.t(self.hi));
        if b > a {
            (a, b)
        } else if self.log {
            (a, a + 1.0)
        } else {
            let d = if a == 0.0 { 1.0 } else { a.abs() * 0.1 };
            (a - d, a + d)
        }
    }

    fn key_points(&self) -> Vec<f64> {
        let (a, b) = self.span();
        if self.log {
            log_ticks(10f64.powf(a), 10f64.powf(b), self.ticks + 5)
                .into_iter()
                .map(f64::log10)
                .collect()
        } else {
            linear_ticks(a, b, self.ticks)
        }
    }

    fn label(&self, t: f64) -> String {
        fmt_tick(if self.log { 10f64.powf(t) } else { t })
    }
}

/// The largest value of the 1-2-5 series at or below x (x > 0).
fn step125_floor(x: f64) -> f64 {
    let e = x.log10().floor();
    let m = x / 10f64.powf(e);
    let f = [5.0, 2.0, 1.0]
        .into_iter()
        .find(|&s| m >= s * (1.0 - 1e-9))
        .unwrap_or(1.0);
    f * 10f64.powf(e)
}

/// The smallest value of the 1-2-5 series at or above x (x > 0).
fn step125_ceil(x: f64) -> f64 {
    let e = x.log10().floor();
    let m = x / 10f64.powf(e);
    let f = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|&s| m <= s * (1.0 + 1e-9))
        .unwrap_or(10.0);
    f * 10f64.powf(e)
}

/// Tick values 1, 2, 5 x 10^k within [lo, hi]; only the powers of ten when that gives more
/// than `max`.
pub fn log_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let (e0, e1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let pick = |ms: &[f64]| -> Vec<f64> {
        let mut v = Vec::new();
        for e in e0..=e1 {
            for &m in ms {
                let x = round_sig(m * 10f64.powi(e));
                if x >= lo * (1.0 - 1e-9) && x <= hi * (1.0 + 1e-9) {
                    v.push(x);
                }
            }
        }
        v
    };
    let all = pick(&[1.0, 2.0, 5.0]);
    if all.len() <= max {
        all
    } else {
        pick(&[1.0])
    }
}

/// About `n` ticks at a 1-2-5 step within [lo, hi].
pub fn linear_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let raw = (hi - lo) / n.max(1) as f64;
    if raw.is_nan() || raw <= 0.0 || !raw.is_finite() {
        return vec![lo];
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let step = mag
        * if f <= 1.0 {
            1.0
        } else if f <= 2.0 {
            2.0
        } else if f <= 5.0 {
            5.0
        } else {
            10.0
        };
    let (k0, k1) = (
        (lo / step - 1e-9).ceil() as i64,
        (hi / step + 1e-9).floor() as i64,
    );
    (k0..=k1).map(|k| round_sig(k as f64 * step)).collect()
}

/// x rounded to 9 significant digits, so that 0.1 * 3 prints as 0.3.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let d = 8 - x.abs().log10().floor() as i32;
    let p = 10f64.powi(d);
    (x * p).round() / p
}

/// A tick label: plain decimals without trailing zeros, exponents only for very large or small.
pub fn fmt_tick(v: f64) -> String {
    let v = round_sig(v);
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-4..1e7).contains(&a) {
        return format!("{v:e}");
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

// ---------------------------------------------------------------------------------------------
// Series, panels, figures

/// A line (or a set of marks) in a panel.
#[derive(Clone, Debug)]
pub struct Line {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub look: Look,
    pub width: u32,
    /// Markers at every point and no line: measured points, paper values.
    pub points_only: bool,
    /// Hollow markers (a paper's value beside a measured, filled one).
    pub hollow: bool,
    /// Vertical bars (x, low, high): a confidence interval or a min-max range.
    pub errors: Vec<(f64, f64, f64)>,
    /// Opacity of the line (a wide pale line under thinner ones stays visible).
    pub alpha: f64,
}

impl Line {
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>, look: Look) -> Line {
        Line {
            label: label.into(),
            points,
            look,
            width: 2,
            points_only: false,
            hollow: false,
            errors: Vec::new(),
            alpha: 1.0,
        }
    }

    /// Markers only, with `marker` (Circle when the look has none).
    pub fn marks(label: impl Into<String>, points: Vec<(f64, f64)>, look: Look) -> Line {
        let mut l = Line::new(label, points, look);
        l.points_only = true;
        if l.look.marker == Marker::None {
            l.look.marker = Marker::Circle;
        }
        l
    }
}

/// A series of bars, one value per group (None: no bar), optionally with a lighter segment
/// stacked on it and an error bar.
#[derive(Clone, Debug)]
pub struct Bars {
    pub label: String,
    pub look: Look,
    pub values: Vec<Option<f64>>,
    pub stacked: Vec<Option<f64>>,
    pub errors: Vec<Option<(f64, f64)>>,
    /// A colour per group instead of the look's (one bar per group, named by the axis).
    pub colors: Vec<RGBColor>,
}

/// One chart: lines (x in data units), or bars over named groups (lines then use the group
/// index as x, e.g. for marks beside a bar).
#[derive(Clone, Debug)]
pub struct Panel {
    pub title: String,
    pub title_color: RGBColor,
    pub x: Axis,
    pub y: Axis,
    pub lines: Vec<Line>,
    pub groups: Vec<String>,
    pub bars: Vec<Bars>,
}

impl Panel {
    pub fn lines(title: &str, x: Axis, y: Axis, lines: Vec<Line>) -> Panel {
        Panel {
            title: title.into(),
            title_color: RGBColor(40, 40, 40),
            x,
            y,
            lines,
            groups: Vec::new(),
            bars: Vec::new(),
        }
    }

    pub fn bars(
        title: &str,
        x_desc: &str,
        groups: Vec<String>,
        y: Axis,
        bars: Vec<Bars>,
        lines: Vec<Line>,
    ) -> Panel {
        let n = groups.len() as f64;
        Panel {
            title: title.into(),
            title_color: RGBColor(40, 40, 40),
            x: Axis::linear(x_desc, -0.5, n - 0.5),
            y,
            lines,
            groups,
            bars,
        }
    }
}

/// A legend entry.
#[derive(Clone, Debug)]
pub struct Key {
    pub label: String,
    pub look: Look,
    pub line: bool,
    pub marker: bool,
    pub hollow: bool,
    pub bar: bool,
    pub error: bool,
    pub width: u32,
}

impl Key {
    pub fn of_line(l: &Line) -> Key {
        Key {
            label: l.label.clone(),
            look: l.look,
            line: !l.points_only,
            marker: l.points_only || l.look.marker != Marker::None,
            hollow: l.hollow,
            bar: false,
            error: !l.errors.is_empty(),
            width: l.width.min(7),
        }
    }

    fn of_bars(b: &Bars) -> Key {
        Key {
            label: b.label.clone(),
            look: b.look,
            line: false,
            marker: false,
            hollow: false,
            bar: true,
            error: b.errors.iter().any(Option::is_some),
            width: 2,
        }
    }

    /// A legend entry for a line style alone (e.g. "dashed: memory").
    pub fn line(label: &str, color: RGBColor, dash: Dash) -> Key {
        Key {
            label: label.into(),
            look: Look {
                color,
                dash,
                marker: Marker::None,
            },
            line: true,
            marker: false,
            hollow: false,
            bar: false,
            error: false,
            width: 2,
        }
    }
}

/// A figure: a title, panels in a grid, and a legend outside the panels.
#[derive(Clone, Debug)]
pub struct Figure {
    pub title: String,
    pub panels: Vec<Panel>,
    pub cols: usize,
    pub panel_h: u32,
    /// None: one entry per distinct label of the panels' series.
    pub legend: Option<Vec<Key>>,
}

impl Figure {
    pub fn single(title: &str, panel: Panel) -> Figure {
        Figure {
            title: title.into(),
            panels: vec![panel],
            cols: 1,
            panel_h: 430,
            legend: None,
        }
    }

    fn keys(&self) -> Vec<Key> {
        if let Some(k) = &self.legend {
            return k.clone();
        }
        let mut keys: Vec<Key> = Vec::new();
        for p in &self.panels {
            let ks = p
                .bars
                .iter()
                .map(Key::of_bars)
                .chain(p.lines.iter().map(Key::of_line));
            for k in ks {
                if !k.label.is_empty() && !keys.iter().any(|x| x.label == k.label) {
                    keys.push(k);
                }
            }
        }
        keys
    }

    /// The SVG text.
    pub fn render(&self) -> std::result::Result<String, String> {
        let keys = self.keys();
        let widest = keys
            .iter()
            .map(|k| text_w(&k.label, LEGEND_PX))
            .fold(0.0, f64::max);
        let entry_w = (widest + 48.0).ceil() as u32;
        let prows = self.panels.len().div_ceil(self.cols.max(1)).max(1);
        let grid_h = prows as u32 * self.panel_h;
        enum At {
            None,
            Right(u32),
            Below(u32, usize),
        }
        let at = if keys.is_empty() {
            At::None
        } else if self.panels.len() == 1
            && entry_w <= 300
            && keys.len() as u32 * LEGEND_ROW + 20 <= grid_h
        {
            At::Right(entry_w + 12)
        } else {
            let cols = ((WIDTH - 40) / entry_w.max(1)).max(1) as usize;
            let rows = keys.len().div_ceil(cols) as u32;
            At::Below(rows * LEGEND_ROW + 14, cols)
        };
        let height = TITLE_H
            + grid_h
            + match at {
                At::Below(h, _) => h,
                _ => 0,
            };
        let mut buf = String::new();
        {
            let root = SVGBackend::with_string(&mut buf, (WIDTH, height)).into_drawing_area();
            let e = |e: DrawingAreaErrorKind<_>| e.to_string();
            root.fill(&WHITE).map_err(e)?;
            let (top, rest) = root.split_vertically(TITLE_H);
            top.draw(&Text::new(
                self.title.clone(),
                (WIDTH as i32 / 2, 9),
                font(TITLE_PX).pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(e)?;
            let (grid, legend) = match at {
                At::Right(w) => {
                    let (g, l) = rest.split_horizontally(WIDTH - w);
                    (g, Some(l))
                }
                At::Below(_, _) => {
                    let (g, l) = rest.split_vertically(grid_h);
                    (g, Some(l))
                }
                At::None => (rest, None),
            };
            let cells = grid.split_evenly((prows, self.cols.max(1)));
            for (p, area) in self.panels.iter().zip(&cells) {
                draw_panel(area, p, self.panels.len() > 1)?;
            }
            if let Some(l) = legend {
                let (cols, x0, y0) = match at {
                    At::Right(_) => (1, 4, 14),
                    At::Below(_, c) => {
                        let used = c as u32 * entry_w;
                        (c, (WIDTH.saturating_sub(used) / 2) as i32, 6)
                    }
                    At::None => (1, 0, 0),
                };
                for (i, k) in keys.iter().enumerate() {
                    let (r, c) = (i / cols, i % cols);
                    let x = x0 + (c as u32 * entry_w) as i32;
                    let y = y0 + (r as u32 * LEGEND_ROW) as i32 + LEGEND_ROW as i32 / 2;
                    draw_key(&l, k, x, y).map_err(e)?;
                }
            }
            root.present().map_err(e)?;
        }
        Ok(buf)
    }
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Ctx<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Keyed, Keyed>>;

/// A linear f64 coordinate whose grid lines and labels are exactly the given key points (the
/// ticks chosen above); plotters' own f64 range picks its ticks itself.
#[derive(Clone, Debug)]
struct Keyed {
    lo: f64,
    hi: f64,
    keys: Vec<f64>,
}

impl Ranged for Keyed {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let len = limit.1 - limit.0;
        let r = (v - self.lo) / (self.hi - self.lo);
        if len == 0 || !r.is_finite() {
            return limit.0;
        }
        limit.0 + (len as f64 * r + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

fn stroke(look: Look, width: u32) -> ShapeStyle {
    look.color.stroke_width(width)
}

/// A marker centred on `at` (pixel offsets around a chart or pixel coordinate).
fn marker<'a, DB: DrawingBackend + 'a, C: Clone + 'a>(
    at: C,
    m: Marker,
    color: RGBColor,
    hollow: bool,
) -> DynElement<'a, DB, C> {
    let st = if hollow {
        color.stroke_width(2)
    } else {
        color.filled()
    };
    let base = EmptyElement::at(at);
    match m {
        Marker::None | Marker::Circle => (base + Circle::new((0, 0), 5, st)).into_dyn(),
        Marker::Triangle => (base + TriangleMarker::new((0, 0), 6, st)).into_dyn(),
        Marker::Square => (base + Rectangle::new([(-4, -4), (4, 4)], st)).into_dyn(),
        Marker::Diamond => {
            let d = vec![(0, -7), (7, 0), (0, 7), (-7, 0), (0, -7)];
            if hollow {
                (base + PathElement::new(d, color.stroke_width(2))).into_dyn()
            } else {
                (base + Polygon::new(d, color.filled())).into_dyn()
            }
        }
    }
}

fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    k: &Key,
    x: i32,
    y: i32,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let c = k.look.color;
    if k.bar {
        area.draw(&Rectangle::new(
            [(x + 4, y - 6), (x + 24, y + 6)],
            c.filled(),
        ))?;
    }
    if k.line {
        match k.look.dash {
            Dash::Solid => area.draw(&PathElement::new(
                vec![(x, y), (x + 28, y)],
                stroke(k.look, k.width),
            ))?,
            dash => {
                let (on, off) = if dash == Dash::Dashed { (7, 4) } else { (2, 3) };
                let mut s = x;
                while s < x + 28 {
                    area.draw(&PathElement::new(
                        vec![(s, y), ((s + on).min(x + 28), y)],
                        stroke(k.look, k.width),
                    ))?;
                    s += on + off;
                }
            }
        }
    }
    if k.error {
        area.draw(&PathElement::new(
            vec![(x + 14, y - 8), (x + 14, y + 8)],
            c.stroke_width(1),
        ))?;
    }
    if k.marker {
        area.draw(&marker::<DB, (i32, i32)>(
            (x + 14, y),
            k.look.marker,
            c,
            k.hollow,
        ))?;
    }
    area.draw(&Text::new(
        k.label.clone(),
        (x + 36, y),
        font(LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center)),
    ))
}

fn draw_panel(area: &Area, p: &Panel, small: bool) -> std::result::Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let (x0, x1) = p.x.span();
    let (y0, y1) = p.y.span();
    let bars = !p.groups.is_empty();
    let xk: Vec<f64> = if bars {
        (0..p.groups.len()).map(|i| i as f64).collect()
    } else {
        p.x.key_points()
    };
    let yk = p.y.key_points();
    let y_labels_w = yk
        .iter()
        .map(|v| text_w(&p.y.label(*v), TICK_PX))
        .fold(0.0, f64::max);
    let mut b = ChartBuilder::on(area);
    b.margin_top(6)
        .margin_left(6)
        .margin_right(if small { 14 } else { 24 })
        .margin_bottom(4)
        .x_label_area_size(if p.x.desc.is_empty() { 28 } else { 50 })
        .y_label_area_size(y_labels_w as u32 + if p.y.desc.is_empty() { 14 } else { 36 });
    if !p.title.is_empty() {
        b.caption(
            &p.title,
            font(PANEL_TITLE_PX + if small { 0.0 } else { 1.0 }).color(&p.title_color),
        );
    }
    let mut chart: Ctx = b
        .build_cartesian_2d(
            Keyed {
                lo: x0,
                hi: x1,
                keys: xk,
            },
            Keyed {
                lo: y0,
                hi: y1,
                keys: yk,
            },
        )
        .map_err(e)?;
    let groups = p.groups.clone();
    let xa = p.x.clone();
    let ya = p.y.clone();
    let xf = move |v: &f64| -> String {
        if bars {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                groups.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        } else {
            xa.label(*v)
        }
    };
    let yf = move |v: &f64| ya.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(p.x.desc.as_str())
        .y_desc(p.y.desc.as_str())
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(DESC_PX))
        .bold_line_style(RGBColor(228, 228, 228))
        .light_line_style(TRANSPARENT)
        .axis_style(RGBColor(120, 120, 120));
    if bars {
        mesh.disable_x_mesh();
    }
    mesh.draw().map_err(e)?;

    let cy = |v: f64| p.y.t(v).clamp(y0, y1);
    let cx = |v: f64| p.x.t(v).clamp(x0, x1);
    // Bars first, so marks and lines stay on top.
    let nb = p.bars.len().max(1) as f64;
    let w = 0.8 / nb;
    for (bi, s) in p.bars.iter().enumerate() {
        let mut rects = Vec::new();
        let mut errs = Vec::new();
        for gi in 0..p.groups.len() {
            let left = gi as f64 - 0.4 + bi as f64 * w;
            let right = left + w * 0.88;
            let base = cy(p.y.lo);
            let top = s.values.get(gi).copied().flatten();
            let color = s.colors.get(gi).copied().unwrap_or(s.look.color);
            if let Some(v) = top {
                rects.push(Rectangle::new(
                    [(left, base), (right, cy(v))],
                    color.filled(),
                ));
                if let Some(Some(extra)) = s.stacked.get(gi) {
                    rects.push(Rectangle::new(
                        [(left, cy(v)), (right, cy(v + extra))],
                        color.mix(0.35).filled(),
                    ));
                }
            }
            if let Some(Some((lo, hi))) = s.errors.get(gi) {
                errs.push((left + (right - left) / 2.0, *lo, *hi));
            }
        }
        chart.draw_series(rects).map_err(e)?;
        draw_errors(&mut chart, &errs, &cx, &cy, BLACK, true)?;
    }
    for l in &p.lines {
        let pts: Vec<(f64, f64)> = l
            .points
            .iter()
            .filter(|q| q.0.is_finite() && q.1.is_finite())
            .map(|&(a, b)| (if bars { a } else { cx(a) }, cy(b)))
            .collect();
        let st = if l.alpha < 1.0 {
            l.look.color.mix(l.alpha).stroke_width(l.width)
        } else {
            stroke(l.look, l.width)
        };
        if !l.points_only && pts.len() >= 2 {
            match l.look.dash {
                Dash::Solid => {
                    chart
                        .draw_series(LineSeries::new(pts.clone(), st))
                        .map_err(e)?;
                }
                Dash::Dashed => {
                    chart
                        .draw_series(DashedLineSeries::new(pts.clone(), 7, 4, st))
                        .map_err(e)?;
                }
                Dash::Dotted => {
                    chart
                        .draw_series(DashedLineSeries::new(pts.clone(), 2, 3, st))
                        .map_err(e)?;
                }
            }
        }
        let errs: Vec<(f64, f64, f64)> = l.errors.clone();
        draw_errors(
            &mut chart,
            &errs,
            &|v| if bars { v } else { cx(v) },
            &cy,
            l.look.color,
            false,
        )?;
        let marked: Vec<(f64, f64)> = if l.points_only {
            pts.clone()
        } else if l.look.marker != Marker::None && !pts.is_empty() {
            let step = (pts.len() / 8).max(1);
            pts.iter().step_by(step).copied().collect()
        } else {
            Vec::new()
        };
        draw_markers(&mut chart, &marked, l.look.marker, l.look.color, l.hollow)?;
    }
    Ok(())
}

/// Markers at chart coordinates (one branch per shape: a series holds one element type).
fn draw_markers(
    chart: &mut Ctx,
    pts: &[(f64, f64)],
    m: Marker,
    color: RGBColor,
    hollow: bool,
) -> std::result::Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let st = if hollow {
        color.stroke_width(2)
    } else {
        color.filled()
    };
    let at = |p: &(f64, f64)| EmptyElement::at(*p);
    match m {
        Marker::None | Marker::Circle => chart
            .draw_series(pts.iter().map(|p| at(p) + Circle::new((0, 0), 5, st)))
            .map(|_| ()),
        Marker::Triangle => chart
            .draw_series(
                pts.iter()
                    .map(|p| at(p) + TriangleMarker::new((0, 0), 6, st)),
            )
            .map(|_| ()),
        Marker::Square => chart
            .draw_series(
                pts.iter()
                    .map(|p| at(p) + Rectangle::new([(-4, -4), (4, 4)], st)),
            )
            .map(|_| ()),
        Marker::Diamond => {
            let d = vec![(0, -7), (7, 0), (0, 7), (-7, 0), (0, -7)];
            if hollow {
                chart
                    .draw_series(pts.iter().map(|p| at(p) + PathElement::new(d.clone(), st)))
                    .map(|_| ())
            } else {
                chart
                    .draw_series(pts.iter().map(|p| at(p) + Polygon::new(d.clone(), st)))
                    .map(|_| ())
            }
        }
    }
    .map_err(e)
}

fn draw_errors(
    chart: &mut Ctx,
    errs: &[(f64, f64, f64)],
    cx: &dyn Fn(f64) -> f64,
    cy: &dyn Fn(f64) -> f64,
    color: RGBColor,
    thin: bool,
) -> std::result::Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let st = color.stroke_width(if thin { 1 } else { 2 });
    for &(x, lo, hi) in errs {
        let (x, lo, hi) = (cx(x), cy(lo), cy(hi));
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, lo), (x, hi)],
                st,
            )))
            .map_err(e)?;
        for y in [lo, hi] {
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((x, y)) + PathElement::new(vec![(-4, 0), (4, 0)], st),
                ))
                .map_err(e)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_one_two_five() {
        assert_eq!(
            log_ticks(1.0, 1000.0, 13),
            vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        );
        assert_eq!(log_ticks(0.1, 100.0, 13).first(), Some(&0.1));
        // Many decades: powers of ten only.
        assert_eq!(log_ticks(0.001, 100000.0, 13).len(), 9);
        let a = Axis::log("", 3.7, 3162.0);
        assert_eq!((a.lo, a.hi), (2.0, 5000.0));
        let labels: Vec<String> = a.key_points().iter().map(|t| a.label(*t)).collect();
        assert_eq!(
            labels,
            ["2", "5", "10", "20", "50", "100", "200", "500", "1000", "2000", "5000"]
        );
        assert!(labels
            .iter()
            .all(|l| !l.contains("316") && !l.contains('.')));
    }

    #[test]
    fn linear_ticks_step_one_two_five_and_print_short() {
        assert_eq!(
            linear_ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
        assert_eq!(
            linear_ticks(0.0, 2254.6, 8),
            vec![0.0, 500.0, 1000.0, 1500.0, 2000.0]
        );
        assert_eq!(fmt_tick(0.30000000000000004), "0.3");
        assert_eq!(fmt_tick(2000.0), "2000");
        assert_eq!(fmt_tick(2e7), "2e7");
    }

    #[test]
    fn looks_are_stable_and_distinct() {
        let l = Looks::new((0..40).map(|i| format!("f{i}")).collect());
        assert_eq!(l.of("f3"), look(3));
        let all: Vec<Look> = (0..40).map(|i| l.of(&format!("f{i}"))).collect();
        for i in 0..40 {
            for j in 0..i {
                assert_ne!(all[i], all[j], "{i} and {j} look alike");
            }
        }
    }

    #[test]
    fn text_is_at_least_12px_in_the_svg() {
        let f = Figure::single(
            "t",
            Panel::lines(
                "",
                Axis::linear("x", 0.0, 10.0),
                Axis::linear("y", 0.0, 1.0),
                vec![Line::new("a", vec![(0.0, 0.0), (10.0, 1.0)], look(0))],
            ),
        );
        let svg = f.render().unwrap();
        let mut sizes = Vec::new();
        for part in svg.split("font-size=\"").skip(1) {
            let v: f64 = part[..part.find('"').unwrap()].parse().unwrap();
            sizes.push(v);
        }
        assert!(!sizes.is_empty());
        assert!(sizes.iter().all(|&s| s >= 12.0), "{sizes:?}");
    }
}
