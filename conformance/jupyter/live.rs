//! A client generated at test time from Jupyter Server's own Swagger 2.0 document, driving a
//! real Jupyter Server on loopback (started and stopped by `cargo xtask jupyter`, which sets
//! `JUPYTER_URL` and `JUPYTER_TOKEN`).

use jupyter_client::jupyter_client::{ApiKey, Client, Error, types};
use serde_json::Value;

fn client() -> Client {
    let url = std::env::var("JUPYTER_URL").expect("`cargo xtask jupyter` sets JUPYTER_URL");
    let token = std::env::var("JUPYTER_TOKEN").expect("`cargo xtask jupyter` sets JUPYTER_TOKEN");
    Client::builder().base_url(url).token(ApiKey::new(format!("token {token}"))).build().unwrap()
}

fn text_file(content: &str) -> types::PutApiContentsPathBody {
    types::PutApiContentsPathBody {
        type_: Some("file".into()),
        format: Some("text".into()),
        content: Some(content.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn contents_round_trip_through_paths_that_contain_slashes() {
    let jupyter = client();
    let dir = "rust client/nested dir";
    for folder in ["rust client", dir] {
        let body = types::PutApiContentsPathBody { type_: Some("directory".into()), ..Default::default() };
        let created = jupyter.put_api_contents_path(folder).body(body).send().await.unwrap();
        assert_eq!(created.type_, types::ContentsType::Directory);
        assert_eq!(created.path, folder);
    }

    let file = format!("{dir}/notes #1.txt");
    let written = jupyter.put_api_contents_path(file.as_str()).body(text_file("hello from Rust\n")).send().await.unwrap();
    assert_eq!((written.name.as_str(), written.path.as_str()), ("notes #1.txt", file.as_str()));
    assert_eq!(written.content, Value::Null, "a save answers without the content");

    let read = jupyter.get_api_contents_path(file.as_str()).content(1).send().await.unwrap();
    assert_eq!(read.content, Value::String("hello from Rust\n".into()));
    assert_eq!(read.format.as_deref(), Some("text"));

    let renamed = format!("{dir}/renamed.txt");
    let body = types::PatchApiContentsPathBody { path: Some(renamed.clone()) };
    let moved = jupyter.patch_api_contents_path(file.as_str(), body).send().await.unwrap();
    assert_eq!(moved.path, renamed);

    let listing = jupyter.get_api_contents_path(dir).content(1).send().await.unwrap();
    let names: Vec<&str> =
        listing.content.as_array().unwrap().iter().filter_map(|item| item["name"].as_str()).collect();
    assert_eq!(names, ["renamed.txt"]);

    jupyter.delete_api_contents_path(renamed.as_str()).send().await.unwrap();
    match jupyter.get_api_contents_path(renamed.as_str()).send().await {
        Err(Error::Api(error)) => assert_eq!(error.status(), 404, "the documented status for a missing file"),
        other => panic!("expected 404 for a deleted file, got {other:?}"),
    }
    jupyter.delete_api_contents_path(dir).send().await.unwrap();
    jupyter.delete_api_contents_path("rust client").send().await.unwrap();
}

#[tokio::test]
async fn status_and_a_request_without_the_token_is_refused() {
    let status = client().get_api_status().send().await.unwrap();
    assert!(status.started.is_some(), "{status:?}");

    let url = std::env::var("JUPYTER_URL").unwrap();
    let anonymous = Client::new(url).unwrap();
    match anonymous.get_api_status().send().await {
        Err(Error::Api(error)) => assert_eq!(error.status(), 403),
        other => panic!("the server must refuse a request without its token, got {other:?}"),
    }
}

#[tokio::test]
async fn kernels_and_sessions_start_answer_and_stop() {
    let jupyter = client();
    let kernel = jupyter.post_api_kernels().body(types::PostApiKernelsBody::new("python3")).send().await.unwrap();
    assert_eq!(kernel.name, "python3");
    let listed = jupyter.get_api_kernels().send().await.unwrap();
    assert!(listed.iter().any(|k| k.id == kernel.id), "{listed:?}");
    jupyter.post_api_kernels_kernel_id_interrupt(kernel.id).send().await.unwrap();

    // A session attached to the running kernel; deleting the session stops the kernel.
    let session = types::Session {
        path: Some("rust-session.ipynb".into()),
        name: Some("rust-session.ipynb".into()),
        type_: Some("notebook".into()),
        kernel: Some(types::Kernel::new(kernel.id, "python3")),
        ..Default::default()
    };
    let started = jupyter.post_api_sessions().body(session).send().await.unwrap();
    let id = started.id.expect("a session has an id");
    assert_eq!(started.kernel.as_ref().map(|k| k.id), Some(kernel.id));
    let sessions = jupyter.get_api_sessions().send().await.unwrap();
    assert!(sessions.iter().any(|s| s.id == Some(id)), "{sessions:?}");
    jupyter.delete_api_sessions_session(id).send().await.unwrap();
    let after = jupyter.get_api_kernels().send().await.unwrap();
    assert!(after.iter().all(|k| k.id != kernel.id), "{after:?}");
}
