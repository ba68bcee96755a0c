//! The README's shell blocks marked `<!-- tested -->` run against a demo server, so that
//! the commands newcomers copy keep working.

use crate::helpers::Process;

fn tested_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut rest = readme.as_str();
    while let Some(at) = rest.find("<!-- tested -->\n```sh\n") {
        let body = &rest[at + "<!-- tested -->\n```sh\n".len()..];
        let end = body.find("\n```").expect("a closed block");
        blocks.push(body[..end].to_owned());
        rest = &body[end..];
    }
    blocks
}

#[tokio::test]
async fn the_readme_commands_work_against_the_demo() {
    let blocks = tested_blocks();
    assert!(blocks.len() >= 2, "the tour and the integrator flow are marked");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("readme.db").to_string_lossy().into_owned();
    let server = Process::start(&db, &["--demo"], &[]).await;
    for block in blocks {
        let script = block.replace("http://127.0.0.1:8080", &server.address);
        let out =
            tokio::process::Command::new("bash").args(["-euo", "pipefail", "-c", &script]).output().await.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "README block failed:\n{script}\n--- stdout\n{stdout}\n--- stderr\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if script.contains("auth/login") {
            assert!(stdout.contains("published"), "the draft was published: {stdout}");
        }
    }
    let published = reqwest::get(format!("{}/api/v1/articles/kafe-baru-di-bandung", server.address)).await.unwrap();
    assert_eq!(published.status().as_u16(), 200, "the README's article is public");
}
