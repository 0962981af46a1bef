//! `cec-routes map`: the routes drawn as a graph, access code → extension
//! code → skill queue or IVR flow, with names and media types; Mermaid or
//! Graphviz DOT on stdout. From the live tenant, or from a routes file
//! (`-f`, nothing sent).

use std::{collections::BTreeMap, path::PathBuf};

use crate::error::Error;
use cec_routes::{ClientBuilder, Device, Listed, MediaType, RouteFilter, plan::Tenant};
use clap::builder::NonEmptyStringValueParser;

use crate::{output, routes_input};

/// Draw the routes: access code → extension code → skill queue or IVR flow
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these access codes (repeat, or separate with commas); default: every one
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = NonEmptyStringValueParser::new())]
    pub access_code: Vec<String>,

    /// The graph language
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,

    /// Draw this routes file instead of the live routes (sends nothing; `-` reads stdin)
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// The graph language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown)
    Mermaid,
    /// Graphviz DOT (`| dot -Tsvg`)
    Dot,
}

/// One route as the map draws it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub access_code: String,
    pub ext_code: Option<String>,
    /// `queue:1`, `ivr:7`, or the target's name when only that is known.
    pub target: String,
    pub target_label: String,
    pub media: Option<String>,
}

pub async fn run(args: &Args, config: ClientBuilder) -> Result<(), Error> {
    let (edges, codes) = match &args.file {
        Some(path) => (from_file(&routes_input::load(path)?), BTreeMap::new()),
        None => {
            let client = config.build()?;
            let live = if args.access_code.is_empty() {
                client.called_routes(&RouteFilter::new()).await?
            } else {
                client.routes_of_access_codes(&args.access_code).await?
            };
            let tenant = client.tenant().await?;
            let codes = tenant
                .access_codes
                .iter()
                .filter_map(|c| Some((c.code.clone(), media_word(c.media_type.as_ref()?))))
                .collect();
            (from_live(&live, &tenant), codes)
        }
    };
    let edges: Vec<Edge> = edges
        .into_iter()
        .filter(|e| args.access_code.is_empty() || args.access_code.contains(&e.access_code))
        .collect();
    let text = match args.format {
        Format::Mermaid => mermaid(&edges, &codes),
        Format::Dot => dot(&edges, &codes),
    };
    output::stdout(text.trim_end());
    Ok(())
}

fn media_word(media: &Listed<MediaType>) -> String {
    output::listed_media_word(media)
}

fn device_key(device: Device) -> String {
    match device {
        Device::SkillQueue(id) => format!("queue:{id}"),
        Device::Ivr(id) => format!("ivr:{id}"),
    }
}

fn device_label(device: Device, name: Option<&str>, media: Option<String>) -> String {
    let mut label = device.to_string();
    if let Some(name) = name {
        label.push('\n');
        label.push_str(name);
    }
    if let Some(media) = media {
        label.push('\n');
        label.push_str(&media);
    }
    label
}

/// The live routes, named from the tenant.
pub fn from_live(live: &[cec_routes::Route], tenant: &Tenant) -> Vec<Edge> {
    let mut edges: Vec<Edge> = live
        .iter()
        .map(|route| {
            let (target, target_label) = match &route.device {
                Listed::Known(device) => {
                    let queue_media = match device {
                        Device::SkillQueue(id) => {
                            tenant.skill_queue(*id).map(|q| media_word(&q.media_type))
                        }
                        Device::Ivr(_) => None,
                    };
                    let name = tenant.device_name(*device).or(route.device_desc.as_deref());
                    (
                        device_key(*device),
                        device_label(*device, name, queue_media),
                    )
                }
                Listed::Unknown(raw) => (format!("unknown:{raw}"), format!("unknown device {raw}")),
            };
            Edge {
                access_code: route.access_code.clone(),
                ext_code: route.ext_code.clone().filter(|e| !e.is_empty()),
                target,
                target_label,
                media: route.media_type.as_ref().map(media_word),
            }
        })
        .collect();
    edges.sort();
    edges
}

/// A routes file's routes: targets by the name the file gives, else by id.
pub fn from_file(file: &cec_routes::plan::RoutesFile) -> Vec<Edge> {
    let mut edges: Vec<Edge> = file
        .routes()
        .iter()
        .map(|entry| {
            let device = entry.route.device();
            let (target, target_label) = match &entry.target_name {
                Some(name) => {
                    let kind = match device {
                        Device::SkillQueue(_) => "skill queue",
                        Device::Ivr(_) => "IVR flow",
                    };
                    (format!("{}:{name}", &kind[..3]), format!("{kind}\n{name}"))
                }
                None => (device_key(device), device_label(device, None, None)),
            };
            Edge {
                access_code: entry.route.access_code().to_owned(),
                ext_code: entry.route.ext_code().map(str::to_owned),
                target,
                target_label,
                media: entry.route.media_type().map(|m| m.name().to_owned()),
            }
        })
        .collect();
    edges.sort();
    edges
}

/// Node ids the graph languages accept, one per key, in order of first use.
#[derive(Default)]
struct Ids(BTreeMap<String, String>);

impl Ids {
    fn of(&mut self, key: &str) -> String {
        let next = format!("n{}", self.0.len());
        self.0.entry(key.to_owned()).or_insert(next).clone()
    }
}

/// A label's text: control characters dropped, line breaks kept as `\n`.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

fn mermaid_label(text: &str) -> String {
    clean(text)
        .replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\n', "<br/>")
}

fn dot_label(text: &str) -> String {
    clean(text)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A node: its id, label and kind (`code`, `ext`, `target`).
type Node = (String, String, &'static str);
/// A link: from, to, and its label.
type Link = (String, String, Option<String>);

/// Nodes and edges in a language-neutral form: (id, label, shape) and
/// (from, to, label).
fn graph(edges: &[Edge], codes: &BTreeMap<String, String>) -> (Vec<Node>, Vec<Link>) {
    let mut ids = Ids::default();
    let mut nodes = Vec::new();
    let mut links = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut node = |ids: &mut Ids, key: &str, label: String, shape: &'static str| {
        let id = ids.of(key);
        if seen.insert(key.to_owned()) {
            nodes.push((id.clone(), label, shape));
        }
        id
    };
    for edge in edges {
        let code_label = match codes.get(&edge.access_code) {
            Some(media) => format!("access code {}\n{media}", edge.access_code),
            None => format!("access code {}", edge.access_code),
        };
        let code = node(
            &mut ids,
            &format!("code:{}", edge.access_code),
            code_label,
            "code",
        );
        let target = node(&mut ids, &edge.target, edge.target_label.clone(), "target");
        let from = match &edge.ext_code {
            Some(ext) => {
                let ext_id = node(
                    &mut ids,
                    &format!("ext:{}:{ext}", edge.access_code),
                    format!("ext {ext}"),
                    "ext",
                );
                links.push((code, ext_id.clone(), None));
                ext_id
            }
            None => code,
        };
        links.push((from, target, edge.media.clone()));
    }
    (nodes, links)
}

/// A Mermaid flowchart of the routes.
pub fn mermaid(edges: &[Edge], codes: &BTreeMap<String, String>) -> String {
    let (nodes, links) = graph(edges, codes);
    let mut out = String::from("flowchart LR\n");
    for (id, label, shape) in &nodes {
        let label = mermaid_label(label);
        out.push_str(&match *shape {
            "code" => format!("  {id}[[\"{label}\"]]\n"),
            "ext" => format!("  {id}([\"{label}\"])\n"),
            _ => format!("  {id}[\"{label}\"]\n"),
        });
    }
    for (from, to, label) in &links {
        out.push_str(&match label {
            Some(label) => format!("  {from} -->|\"{}\"| {to}\n", mermaid_label(label)),
            None => format!("  {from} --> {to}\n"),
        });
    }
    out
}

/// A Graphviz DOT digraph of the routes.
pub fn dot(edges: &[Edge], codes: &BTreeMap<String, String>) -> String {
    let (nodes, links) = graph(edges, codes);
    let mut out = String::from("digraph routes {\n  rankdir=LR;\n");
    for (id, label, shape) in &nodes {
        let shape = match *shape {
            "code" => "box, style=bold",
            "ext" => "ellipse",
            _ => "box, style=rounded",
        };
        out.push_str(&format!(
            "  {id} [label=\"{}\", shape={shape}];\n",
            dot_label(label)
        ));
    }
    for (from, to, label) in &links {
        out.push_str(&match label {
            Some(label) => format!("  {from} -> {to} [label=\"{}\"];\n", dot_label(label)),
            None => format!("  {from} -> {to};\n"),
        });
    }
    out.push_str("}\n");
    out
}
