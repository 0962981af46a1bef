//! Where each setting comes from: its flag, else its environment variable,
//! else the selected profile of the config file, else the default.
//!
//! The config file is `$CEC_CONFIG` (or `--config`), else
//! `$XDG_CONFIG_HOME/cec-routes/config.toml`, else
//! `~/.config/cec-routes/config.toml`; a missing default file means no
//! profiles. A profile is chosen by `--profile` / `CEC_PROFILE`, else the
//! file's `default_profile`.
//!
//! ```toml
//! default_profile = "staging"
//! [profiles.staging]
//! base_url = "https://service.besclouds.com"
//! token_url = "https://service.besclouds.com:28070"
//! app_key = "my-app-key"
//! app_secret_command = "pass show cec/staging"
//! timeout = "30s"
//! proxy = "http://proxy.internal:3128"   # or "none"
//! rps = 40
//! ```
//!
//! The file never holds a secret: `app_secret` (or `token`) in a profile is
//! refused. The secret comes from `--app-secret-stdin`, else
//! `CEC_APP_SECRET`, else the profile's `app_secret_command` (unless
//! `CEC_TOKEN` is set), run without a shell: the first line it prints.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use serde::Deserialize;

use crate::error::Error;

/// One setting and where it came from (`--base-url`, `CEC_BASE_URL`,
/// `profile staging`).
#[derive(Clone, Debug)]
pub struct Setting {
    pub value: String,
    pub source: String,
}

/// The config file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, toml::Table>,
}

/// A profile, checked.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub base_url: Option<String>,
    pub token_url: Option<String>,
    pub app_key: Option<String>,
    pub app_secret_command: Option<String>,
    pub timeout: Option<String>,
    /// A proxy URL, or [`NO_PROXY`].
    pub proxy: Option<String>,
    pub rps: Option<String>,
}

/// The proxy setting that means "no proxy" (`proxy = "none"` in a profile).
pub const NO_PROXY: &str = "none";

/// The keys a profile takes.
const PROFILE_KEYS: [&str; 7] = [
    "base_url",
    "token_url",
    "app_key",
    "app_secret_command",
    "timeout",
    "proxy",
    "rps",
];

/// The config file, read: where it is, and its profiles.
#[derive(Debug, Default)]
pub struct Config {
    /// The file, when there is one.
    pub path: Option<PathBuf>,
    /// Its `default_profile`.
    pub default_profile: Option<String>,
    /// Its profiles, by name.
    pub profiles: BTreeMap<String, Profile>,
}

impl Config {
    /// The default place of the config file.
    pub fn default_path() -> Option<PathBuf> {
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute());
        let base = xdg.or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
        Some(base.join("cec-routes").join("config.toml"))
    }

    /// Reads the config file: `named` (from `--config` / `CEC_CONFIG`),
    /// which must exist, else the default one, if it exists.
    pub fn load(named: Option<&Path>) -> Result<Config, Error> {
        let path = match named {
            Some(path) => path.to_owned(),
            None => match Self::default_path() {
                Some(path) if path.exists() => path,
                _ => return Ok(Config::default()),
            },
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
            reason: format!("the config file {shown} could not be read: {e}"),
        })?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| Error::Config {
            reason: format!(
                "the config file {shown} is not valid: {}",
                e.to_string().trim_end()
            ),
        })?;
        let mut profiles = BTreeMap::new();
        for (name, table) in file.profiles {
            profiles.insert(name.clone(), profile(&shown, &name, table)?);
        }
        if let Some(default) = &file.default_profile
            && !profiles.contains_key(default)
        {
            return Err(Error::Config {
                reason: format!(
                    "the config file {shown} has default_profile = \"{default}\", but no \
                     [profiles.{default}]"
                ),
            });
        }
        Ok(Config {
            path: Some(path),
            default_profile: file.default_profile,
            profiles,
        })
    }

    /// The profile `asked` for (with where the ask came from), else the
    /// default one; `None` when there is neither.
    pub fn select(
        &self,
        asked: Option<&Setting>,
    ) -> Result<Option<(String, String, &Profile)>, Error> {
        let (name, how) = match (asked, &self.default_profile) {
            (Some(asked), _) => (asked.value.clone(), asked.source.clone()),
            (None, Some(default)) => (default.clone(), "default_profile".to_owned()),
            (None, None) => return Ok(None),
        };
        match self.profiles.get(&name) {
            Some(profile) => Ok(Some((name, how, profile))),
            None => Err(Error::Config {
                reason: match &self.path {
                    None => format!(
                        "{how} names profile `{name}`, but there is no config file{}",
                        Self::default_path()
                            .map(|p| format!(" (looked for {})", p.display()))
                            .unwrap_or_default()
                    ),
                    Some(path) => format!(
                        "{how} names profile `{name}`, which {} does not have; it has: {}",
                        path.display(),
                        if self.profiles.is_empty() {
                            "none".to_owned()
                        } else {
                            self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                        }
                    ),
                },
            }),
        }
    }
}

/// A profile's table, checked: known keys, strings, and no secret.
fn profile(file: &str, name: &str, table: toml::Table) -> Result<Profile, Error> {
    let at = format!("profile `{name}` in {file}");
    let mut profile = Profile::default();
    for (key, value) in table {
        if matches!(
            key.as_str(),
            "app_secret" | "token" | "secret" | "app_secret_env"
        ) {
            return Err(Error::Config {
                reason: format!(
                    "{at} has `{key}`: a secret is never kept in the config file in plain text; \
                     use app_secret_command (e.g. \"pass show cec/{name}\"), CEC_APP_SECRET or \
                     --app-secret-stdin"
                ),
            });
        }
        let text = match (&value, key.as_str()) {
            (toml::Value::String(text), _) => text.clone(),
            (toml::Value::Integer(seconds), "timeout") => seconds.to_string(),
            (toml::Value::Integer(rps), "rps") => rps.to_string(),
            (_, "rps") => {
                return Err(Error::Config {
                    reason: format!("{at}: `rps` must be a whole number of requests per second"),
                });
            }
            _ => {
                return Err(Error::Config {
                    reason: format!("{at}: `{key}` must be a string"),
                });
            }
        };
        let slot = match key.as_str() {
            "base_url" => &mut profile.base_url,
            "token_url" => &mut profile.token_url,
            "app_key" => &mut profile.app_key,
            "app_secret_command" => &mut profile.app_secret_command,
            "timeout" => &mut profile.timeout,
            "proxy" => &mut profile.proxy,
            "rps" => &mut profile.rps,
            _ => {
                return Err(Error::Config {
                    reason: format!(
                        "{at} has unknown key `{key}`; a profile takes {}",
                        PROFILE_KEYS.map(|k| format!("`{k}`")).join(", ")
                    ),
                });
            }
        };
        *slot = Some(text);
    }
    Ok(profile)
}

/// Runs a profile's `app_secret_command` without a shell (its words split
/// as a POSIX shell would, nothing expanded) and returns the first line it
/// prints. Its stdin and stderr are the terminal's (a password prompt
/// works); what it prints is never repeated in an error.
pub fn run_secret_command(command: &str, profile: &str) -> Result<String, Error> {
    let at = format!("app_secret_command of profile `{profile}`");
    let words = shlex::split(command)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| Error::Config {
            reason: format!("{at} cannot be split into words (an unclosed quote?)"),
        })?;
    let Some((program, args)) = words.split_first() else {
        return Err(Error::Config {
            reason: format!("{at} is empty"),
        });
    };
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| Error::Config {
            reason: format!("{at} could not run `{program}`: {e}"),
        })?;
    if !output.status.success() {
        return Err(Error::Config {
            reason: format!("{at} failed ({}); its output is not shown", output.status),
        });
    }
    let stdout = String::from_utf8(output.stdout).map_err(|_| Error::Config {
        reason: format!("{at} printed something that is not UTF-8"),
    })?;
    let secret = stdout
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    if secret.trim().is_empty() {
        return Err(Error::Config {
            reason: format!("{at} printed no secret on its first line"),
        });
    }
    Ok(secret.to_owned())
}
