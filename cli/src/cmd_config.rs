//! `cec-routes config list|show`: the config file's profiles, and the
//! settings in effect with where each came from. Secrets are never shown,
//! and the profile's app_secret_command is not run.

use serde_json::{Value, json};

use crate::{
    Resolved,
    error::Error,
    output::{Output, Table},
    settings::Setting,
};

/// Show the config file's profiles and the settings in effect.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the config file's profiles
    #[command(
        after_help = "Examples:\n  cec-routes config list\n  CEC_CONFIG=./team.toml cec-routes config list"
    )]
    List,
    /// Show the settings in effect (flag > environment > profile > default) and where each
    /// comes from; secrets redacted
    #[command(
        after_help = "Examples:\n  cec-routes config show --profile staging\n  CEC_PROFILE=prod cec-routes config show -o json"
    )]
    Show,
}

pub fn run(command: &Command, resolved: &Resolved, out: &Output) -> Result<(), Error> {
    match command {
        Command::List => list(resolved, out),
        Command::Show => show(resolved, out),
    }
    Ok(())
}

fn list(resolved: &Resolved, out: &Output) {
    let config = &resolved.config;
    let file = config.path.as_ref().map(|p| p.display().to_string());
    let mut table = Table::new(["PROFILE", "BASE URL", "APP KEY", "SECRET FROM", ""]);
    for (name, profile) in &config.profiles {
        let mut marks = Vec::new();
        if config.default_profile.as_deref() == Some(name) {
            marks.push("default");
        }
        if resolved.profile.as_ref().is_some_and(|(n, _)| n == name) {
            marks.push("in use");
        }
        table.row([
            name.clone(),
            profile.base_url.clone().unwrap_or_else(|| "-".into()),
            profile.app_key.clone().unwrap_or_else(|| "-".into()),
            if profile.app_secret_command.is_some() {
                "app_secret_command".into()
            } else {
                "-".into()
            },
            marks.join(", "),
        ]);
    }
    let text = match &file {
        None => format!(
            "no config file{}",
            crate::settings::Config::default_path()
                .map(|p| format!(" (looked for {})", p.display()))
                .unwrap_or_default()
        ),
        Some(file) if config.profiles.is_empty() => format!("{file}: no profiles"),
        Some(file) => format!("{file}:\n{}", table.render().trim_end()),
    };
    out.result(&text, || {
        json!({
            "operation": "configList",
            "file": file,
            "defaultProfile": config.default_profile,
            "profiles": config.profiles.iter().map(|(name, p)| json!({
                "name": name,
                "baseUrl": p.base_url,
                "tokenUrl": p.token_url,
                "appKey": p.app_key,
                "appSecretCommand": p.app_secret_command.is_some(),
                "timeout": p.timeout,
                "proxy": p.proxy.as_deref().map(without_password),
                "rps": p.rps,
            })).collect::<Vec<_>>(),
        })
    });
}

fn show(resolved: &Resolved, out: &Output) {
    let env = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let secret = if env(cec_routes::config::ENV_TOKEN) {
        Some(("a fixed token", cec_routes::config::ENV_TOKEN.to_owned()))
    } else if env(cec_routes::config::ENV_APP_SECRET) {
        Some(("[redacted]", cec_routes::config::ENV_APP_SECRET.to_owned()))
    } else {
        resolved.app_secret_command.as_ref().map(|command| {
            (
                "[redacted]",
                format!("app_secret_command of {} (not run here)", command.source),
            )
        })
    };
    let setting = |s: &Option<Setting>, default: Option<&str>| -> (String, String) {
        match (s, default) {
            (Some(s), _) => (s.value.clone(), s.source.clone()),
            (None, Some(default)) => (default.to_owned(), "default".to_owned()),
            (None, None) => ("-".to_owned(), "not set".to_owned()),
        }
    };
    let base_url = setting(
        &resolved.base_url,
        Some(cec_routes::config::DEFAULT_BASE_URL),
    );
    let token_url = setting(&resolved.token_url, Some("the base URL"));
    let app_key = setting(&resolved.app_key, None);
    let timeout = setting(&resolved.timeout, Some("30s"));
    let rps = setting(&resolved.rps, Some("no cap"));
    let (secret_value, secret_source) = secret.map_or_else(
        || ("-".to_owned(), "not set".to_owned()),
        |(v, s)| (v.to_owned(), s),
    );
    let proxy = match &resolved.proxy {
        Some(p) => (without_password(&p.value), p.source.clone()),
        None => (
            "HTTPS_PROXY / HTTP_PROXY, if set (not NO_PROXY hosts or loopback)".to_owned(),
            "default".to_owned(),
        ),
    };
    let allow_http = resolved
        .allow_http
        .map_or(("no".to_owned(), "default".to_owned()), |by| {
            ("yes".to_owned(), by.to_owned())
        });
    let file = resolved
        .config
        .path
        .as_ref()
        .map(|p| p.display().to_string());
    let mut table = Table::new(["SETTING", "VALUE", "FROM"]);
    let rows: [(&str, &(String, String)); 8] = [
        ("base URL", &base_url),
        ("token URL", &token_url),
        ("app key", &app_key),
        ("app secret", &(secret_value.clone(), secret_source.clone())),
        ("timeout", &timeout),
        ("requests/s", &rps),
        ("allow http", &allow_http),
        ("proxy", &proxy),
    ];
    for (name, (value, source)) in rows {
        table.row([name.to_owned(), value.clone(), source.clone()]);
    }
    let profile_line = match &resolved.profile {
        Some((name, how)) => format!("profile {name} (chosen by {how})"),
        None => "no profile".to_owned(),
    };
    let file_line = file.clone().unwrap_or_else(|| "no config file".to_owned());
    let item = |(value, source): &(String, String)| -> Value {
        json!({ "value": value, "source": source })
    };
    out.result(
        &format!("{file_line}\n{profile_line}\n\n{}", table.render().trim_end()),
        || json!({
            "operation": "configShow",
            "file": file,
            "profile": resolved.profile.as_ref().map(|(name, how)| json!({"name": name, "chosenBy": how})),
            "settings": {
                "baseUrl": item(&base_url),
                "tokenUrl": item(&token_url),
                "appKey": item(&app_key),
                "appSecret": item(&(secret_value, secret_source)),
                "timeout": item(&timeout),
                "rps": item(&rps),
                "allowHttp": item(&allow_http),
                "proxy": item(&proxy),
            },
        }),
    );
}

/// A proxy URL with its password, if any, replaced by `[redacted]`.
fn without_password(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Set plain, then bracketed: the URL would percent-encode it.
            let _ = parsed.set_password(Some("REDACTED"));
            parsed.to_string().replacen(":REDACTED@", ":[redacted]@", 1)
        }
        _ => url.to_owned(),
    }
}
