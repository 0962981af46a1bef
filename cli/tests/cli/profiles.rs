//! Profiles in a config file: chosen by --profile, CEC_PROFILE or the
//! file's default_profile; flag > environment > profile; the secret never
//! in the file but from a command run without a shell; `config show`
//! redacts it.

use cec_routes_sandbox::Sandbox;
use secrecy::ExposeSecret;

use crate::support::{Run, cec_routes, dead_url, scratch_dir, scratch_file};

/// A config file with a `sandbox` profile that reaches `sandbox` (the
/// secret from `echo`) and a `dead` one that reaches nothing.
fn config_for(name: &str, sandbox: &Sandbox, default: Option<&str>) -> String {
    let text = format!(
        "{}[profiles.sandbox]\nbase_url = \"{}\"\napp_key = \"{}\"\napp_secret_command = \"echo '{}'\"\n\
         timeout = \"5s\"\n\n[profiles.dead]\nbase_url = \"{}\"\napp_key = \"k\"\napp_secret_command = \"echo s\"\n\
         timeout = 7\n",
        default
            .map(|d| format!("default_profile = \"{d}\"\n"))
            .unwrap_or_default(),
        sandbox.base_url(),
        sandbox.app_key(),
        sandbox.app_secret().expose_secret(),
        dead_url(),
    );
    scratch_file(name, &text).display().to_string()
}

async fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    cec_routes(args, env, None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_is_chosen_by_flag_variable_or_default() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let file = config_for("profiles_choose.toml", &sandbox, Some("sandbox"));
    let config = [("CEC_CONFIG", file.as_str())];

    // default_profile
    assert_eq!(run(&["token"], &config).await.code, 0);
    // --profile wins over CEC_PROFILE, which wins over default_profile.
    let dead = run(&["token"], &[config[0], ("CEC_PROFILE", "dead")]).await;
    assert_eq!(dead.code, 7, "{}", dead.stderr);
    let flag = run(
        &["token", "--profile", "sandbox"],
        &[config[0], ("CEC_PROFILE", "dead")],
    )
    .await;
    assert_eq!(flag.code, 0, "{}", flag.stderr);
    assert_eq!(sandbox.token_requests(), 2);

    let unknown = run(&["token", "--profile", "prod"], &config).await;
    assert_eq!(unknown.code, 3);
    assert_eq!(
        unknown.stderr.trim(),
        format!(
            "error: invalid configuration: --profile names profile `prod`, which {file} does not have; it has: dead, sandbox"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_file_is_read_from_xdg_config_home() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let home = scratch_dir("profiles_xdg");
    std::fs::create_dir_all(home.join("cec-routes")).expect("the directory is made");
    let text = std::fs::read_to_string(config_for("profiles_xdg.toml", &sandbox, Some("sandbox")))
        .expect("the file reads");
    std::fs::write(home.join("cec-routes/config.toml"), text).expect("the file is written");

    let mut cmd = crate::support::command(&["token"]);
    cmd.env("XDG_CONFIG_HOME", &home);
    let run = crate::support::finish(cmd).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_beat_the_environment_which_beats_the_profile() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let file = config_for("profiles_precedence.toml", &sandbox, Some("dead"));
    let dead = dead_url();

    // The profile alone reaches nothing; the environment's URL wins over it.
    let env = [
        ("CEC_CONFIG", file.as_str()),
        ("CEC_BASE_URL", sandbox.base_url()),
        ("CEC_APP_KEY", sandbox.app_key()),
        ("CEC_APP_SECRET", sandbox.app_secret().expose_secret()),
    ];
    assert_eq!(run(&["token"], &env).await.code, 0);
    // And the flag wins over the environment.
    let run_flag = run(&["token", "--base-url", &dead], &env).await;
    assert_eq!(run_flag.code, 7, "{}", run_flag.stderr);
    assert!(run_flag.stderr.contains(&dead), "{}", run_flag.stderr);

    let shown = run(
        &[
            "config",
            "show",
            "--app-key",
            "from-the-flag",
            "--output",
            "json",
        ],
        &[
            ("CEC_CONFIG", file.as_str()),
            ("CEC_BASE_URL", sandbox.base_url()),
            ("CEC_APP_SECRET", "the-secret-itself"),
        ],
    )
    .await;
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(!shown.stdout.contains("the-secret-itself"));
    let json: serde_json::Value = serde_json::from_str(&shown.stdout).expect("one JSON document");
    let settings = &json["settings"];
    assert_eq!(settings["baseUrl"]["source"], "CEC_BASE_URL");
    assert_eq!(settings["appKey"]["source"], "--app-key");
    assert_eq!(settings["appKey"]["value"], "from-the-flag");
    assert_eq!(settings["appSecret"]["value"], "[redacted]");
    assert_eq!(settings["appSecret"]["source"], "CEC_APP_SECRET");
    assert_eq!(settings["timeout"]["value"], "7");
    assert_eq!(settings["timeout"]["source"], "profile dead");
    assert_eq!(json["profile"]["chosenBy"], "default_profile");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_list_and_show_never_print_the_secret() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let file = config_for("profiles_show.toml", &sandbox, Some("sandbox"));
    let secret = sandbox.app_secret().expose_secret().to_owned();
    let list = run(&["config", "list"], &[("CEC_CONFIG", &file)]).await;
    assert_eq!(list.code, 0, "{}", list.stderr);
    let lines: Vec<Vec<&str>> = list
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], [format!("{file}:").as_str()]);
    assert_eq!(
        lines[1],
        ["PROFILE", "BASE", "URL", "APP", "KEY", "SECRET", "FROM"]
    );
    assert_eq!(lines[2][0], "dead");
    assert_eq!(
        lines[3],
        [
            "sandbox",
            sandbox.base_url(),
            sandbox.app_key(),
            "app_secret_command",
            "default,",
            "in",
            "use"
        ]
    );
    let show = run(&["config", "show"], &[("CEC_CONFIG", &file)]).await;
    assert_eq!(show.code, 0, "{}", show.stderr);
    for out in [&list.stdout, &show.stdout, &list.stderr, &show.stderr] {
        assert!(!out.contains(&secret), "the secret leaked: {out}");
    }
    assert_eq!(sandbox.token_requests(), 0, "config show sends nothing");
    let secret_line: Vec<&str> = show
        .stdout
        .lines()
        .find(|l| l.starts_with("app secret"))
        .expect("the secret's line")
        .split_whitespace()
        .collect();
    assert_eq!(
        secret_line.join(" "),
        "app secret [redacted] app_secret_command of profile sandbox (not run here)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_secret_in_the_file_is_refused() {
    let file = scratch_file(
        "profiles_plain.toml",
        "[profiles.p]\nbase_url = \"https://x.test\"\napp_key = \"k\"\napp_secret = \"s3cret\"\n",
    );
    let file = file.display().to_string();
    let run = run(&["list", "--profile", "p"], &[("CEC_CONFIG", &file)]).await;
    assert_eq!(run.code, 3);
    assert_eq!(
        run.stderr.trim(),
        format!(
            "error: invalid configuration: profile `p` in {file} has `app_secret`: a secret is never kept in the config file in plain text; use app_secret_command (e.g. \"pass show cec/p\"), CEC_APP_SECRET or --app-secret-stdin"
        )
    );
    assert!(!run.stderr.contains("s3cret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_command_runs_without_a_shell_and_its_failure_hides_its_output() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let marker = scratch_dir("profiles_injection").join("ran");
    let _ = std::fs::remove_file(&marker);
    let cases = [
        (
            format!("echo $(touch {0}) `touch {0}`; touch {0}", marker.display()),
            None,
        ),
        (
            "sh -c 'echo leaked-secret-42; exit 3'".to_owned(),
            Some(
                "error: invalid configuration: app_secret_command of profile `p` failed (exit status: 3); its output is not shown",
            ),
        ),
        (
            "no-such-program-cec-routes".to_owned(),
            Some(
                "error: invalid configuration: app_secret_command of profile `p` could not run `no-such-program-cec-routes`: No such file or directory (os error 2)",
            ),
        ),
        (
            "true".to_owned(),
            Some(
                "error: invalid configuration: app_secret_command of profile `p` printed no secret on its first line",
            ),
        ),
    ];
    for (i, (command, error)) in cases.into_iter().enumerate() {
        let file = scratch_file(
            &format!("profiles_command_{i}.toml"),
            &format!(
                "[profiles.p]\nbase_url = \"{}\"\napp_key = \"{}\"\napp_secret_command = {}\n",
                sandbox.base_url(),
                sandbox.app_key(),
                toml_string(&command)
            ),
        );
        let run = run(
            &["list", "--profile", "p"],
            &[("CEC_CONFIG", file.to_str().expect("a UTF-8 path"))],
        )
        .await;
        match error {
            // The words are passed to echo as they are: its "secret" is
            // wrong, and nothing was run by a shell.
            None => assert_eq!(run.code, 4, "{}", run.stderr),
            Some(error) => {
                assert_eq!(run.code, 3, "{command}: {}", run.stderr);
                assert_eq!(run.stderr.trim(), error, "{command}");
            }
        }
        assert!(!run.stderr.contains("leaked-secret-42"), "{}", run.stderr);
    }
    assert!(!marker.exists(), "no shell ran the command");
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
