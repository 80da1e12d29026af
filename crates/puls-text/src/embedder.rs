//! The sentence embedder: multilingual-e5-small as an int8 ONNX graph run by onnxruntime,
//! whose shared library is loaded at run time from the models directory.
//!
//! The directory is what `scripts/text-model/fetch` makes: `MANIFEST.json` (written last;
//! without it nothing is installed), the ONNX model, `tokenizer.json` and
//! `libonnxruntime.so.*`. Each text is embedded as `"query: " + text`, cut to
//! [`MAX_TOKENS`] tokens; the graph mean-pools the last hidden states and L2-normalises
//! them, so the dot product of two embeddings is their cosine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;
use serde::Deserialize;

use crate::{DIM, Error, MAX_TOKENS, QUERY_PREFIX, Tokenizer};

/// Embeddings of one batch, in the batch's order.
type Rows = Vec<[f32; DIM]>;

/// The file `scripts/text-model/fetch` writes last, naming everything else.
pub const MANIFEST: &str = "MANIFEST.json";

#[derive(Debug, Deserialize)]
struct Manifest {
    format: u32,
    model_version: String,
    embedding_dim: usize,
    max_tokens: usize,
    query_prefix: String,
    onnx: String,
    tokenizer: String,
    onnxruntime: String,
    outputs: BTreeMap<String, Output>,
}

#[derive(Debug, Deserialize)]
struct Output {
    bytes: u64,
}

/// How the embedder runs. The default, one session on one thread, does the most work per
/// CPU-second and leaves the other core of this project's 2-core machines to the rest of the
/// server: about 230 comments/s of the development set, 163 MB. Measured beside it (load
/// average about 1.8): `threads: 2` about 300/s; `sessions: 2` about 315/s for 110 MB more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedderOptions {
    /// Threads onnxruntime uses inside one run.
    pub threads: usize,
    /// onnxruntime sessions, each running its own batches in parallel (one `embed` call
    /// spreads its batches over them). Each session holds its own copy of the weights.
    pub sessions: usize,
    /// Texts per onnxruntime run at most.
    pub max_batch: usize,
    /// Tokens per run at most, counting the padding of the shorter texts (a text longer
    /// than this runs alone). Texts are sorted by length before they are grouped; the dense
    /// layers skip the padding anyway, only attention pays for it. Runs of a few hundred
    /// tokens keep the activations in cache.
    pub max_batch_tokens: usize,
    /// Whether onnxruntime's threads spin while waiting for work: a little faster, but
    /// they burn a core between batches, which the rest of the server would rather have.
    pub spin: bool,
}

impl Default for EmbedderOptions {
    fn default() -> Self {
        EmbedderOptions {
            threads: 1,
            sessions: 1,
            max_batch: 32,
            max_batch_tokens: 512,
            spin: false,
        }
    }
}

/// Embeds texts; load once and share (`embed` takes `&self`).
pub struct Embedder {
    tokenizer: Tokenizer,
    sessions: Vec<Mutex<Session>>,
    model_version: String,
    options: EmbedderOptions,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("model_version", &self.model_version)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Embedder {
    /// Loads the model installed in `models_dir` with the default options.
    ///
    /// [`Error::NotInstalled`] when the directory holds no `MANIFEST.json` (no install, or
    /// one that never finished); [`Error::Broken`] when the manifest is there but a file
    /// it names is missing, of another size or unreadable.
    pub fn load(models_dir: impl AsRef<Path>) -> Result<Embedder, Error> {
        Embedder::load_with(models_dir, EmbedderOptions::default())
    }

    /// Loads the model installed in `models_dir` with the given options.
    pub fn load_with(
        models_dir: impl AsRef<Path>,
        options: EmbedderOptions,
    ) -> Result<Embedder, Error> {
        let dir = models_dir.as_ref();
        let manifest = read_manifest(dir)?;
        let tokenizer = Tokenizer::load(dir.join(&manifest.tokenizer))?;
        let sessions = (0..options.sessions.max(1))
            .map(|_| open_session(dir, &manifest, &options).map(Mutex::new))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Embedder {
            tokenizer,
            sessions,
            model_version: manifest.model_version,
            options,
        })
    }

    /// Names the model and its conversion: it changes whenever the embeddings can.
    pub fn model_version(&self) -> &str {
        &self.model_version
    }

    /// The tokenizer the embedder uses.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The options the embedder was loaded with.
    pub fn options(&self) -> &EmbedderOptions {
        &self.options
    }

    /// The token ids the model reads for `text`: `"query: " + text`, at most
    /// [`MAX_TOKENS`] with `<s>` and `</s>`.
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        let mut query = String::with_capacity(QUERY_PREFIX.len() + text.len());
        query.push_str(QUERY_PREFIX);
        query.push_str(text);
        self.tokenizer.encode(&query, MAX_TOKENS)
    }

    /// One L2-normalised embedding per text, in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<[f32; DIM]>, Error> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.token_ids(t)).collect();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut batches = Vec::new();
        let mut start = 0;
        while start < order.len() {
            // Sorted by length, so the last text of a batch is its longest.
            let mut end = start + 1;
            while end < order.len()
                && end - start < self.options.max_batch
                && (end - start + 1) * ids[order[end]].len() <= self.options.max_batch_tokens
            {
                end += 1;
            }
            batches.push(&order[start..end]);
            start = end;
        }
        let mut out = vec![[0.0f32; DIM]; texts.len()];
        if self.sessions.len() == 1 || batches.len() == 1 {
            for batch in batches {
                let rows = self.run_batch(&self.sessions[0], &ids, batch)?;
                for (&i, row) in batch.iter().zip(rows) {
                    out[i] = row;
                }
            }
            return Ok(out);
        }
        // Several sessions: each worker takes the next batch until none is left.
        let next = AtomicUsize::new(0);
        let results = std::thread::scope(|scope| {
            let workers: Vec<_> = self
                .sessions
                .iter()
                .map(|session| {
                    let (next, batches, ids) = (&next, &batches, &ids);
                    scope.spawn(move || -> Result<Vec<(usize, Rows)>, Error> {
                        let mut done = Vec::new();
                        loop {
                            let b = next.fetch_add(1, Ordering::Relaxed);
                            let Some(batch) = batches.get(b) else { break };
                            done.push((b, self.run_batch(session, ids, batch)?));
                        }
                        Ok(done)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join().unwrap_or_else(|_| {
                        Err(Error::Runtime("an embedding worker panicked".into()))
                    })
                })
                .collect::<Vec<_>>()
        });
        for result in results {
            for (b, rows) in result? {
                for (&i, row) in batches[b].iter().zip(rows) {
                    out[i] = row;
                }
            }
        }
        Ok(out)
    }

    /// Embeds the texts `batch` names, in that order, in one run of `session`.
    fn run_batch(
        &self,
        session: &Mutex<Session>,
        ids: &[Vec<u32>],
        batch: &[usize],
    ) -> Result<Rows, Error> {
        let len = batch.iter().map(|&i| ids[i].len()).max().unwrap_or(0);
        let pad = i64::from(self.tokenizer.pad_id());
        let mut input = vec![pad; batch.len() * len];
        let mut mask = vec![0i64; batch.len() * len];
        for (row, &i) in batch.iter().enumerate() {
            for (j, &id) in ids[i].iter().enumerate() {
                input[row * len + j] = i64::from(id);
                mask[row * len + j] = 1;
            }
        }
        let shape = [batch.len(), len];
        let input = Tensor::from_array((shape, input)).map_err(runtime)?;
        let mask = Tensor::from_array((shape, mask)).map_err(runtime)?;
        let mut session = session.lock().unwrap_or_else(|p| p.into_inner());
        let outputs = session
            .run(ort::inputs!["input_ids" => input, "attention_mask" => mask])
            .map_err(runtime)?;
        let (dims, data) = outputs["embedding"]
            .try_extract_tensor::<f32>()
            .map_err(runtime)?;
        if dims.len() != 2 || dims[0] as usize != batch.len() || dims[1] as usize != DIM {
            return Err(Error::Runtime(format!(
                "the model answered shape {dims:?} for a batch of {}",
                batch.len()
            )));
        }
        Ok(data
            .chunks_exact(DIM)
            .map(|row| {
                let mut v = [0.0f32; DIM];
                v.copy_from_slice(row);
                v
            })
            .collect())
    }
}

fn runtime<E: std::fmt::Display>(e: E) -> Error {
    Error::Runtime(e.to_string())
}

fn broken(path: &Path, reason: impl Into<String>) -> Error {
    Error::Broken {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NotInstalled { manifest: path });
        }
        Err(source) => return Err(Error::Io { path, source }),
    };
    let m: Manifest = serde_json::from_str(&text).map_err(|e| broken(&path, e.to_string()))?;
    if m.format != 1 {
        return Err(broken(
            &path,
            format!("manifest format {}, expected 1", m.format),
        ));
    }
    if m.embedding_dim != DIM || m.max_tokens != MAX_TOKENS || m.query_prefix != QUERY_PREFIX {
        return Err(broken(
            &path,
            format!(
                "made for {} dimensions, {} tokens and prefix {:?}; this build reads {DIM}, {MAX_TOKENS} and {QUERY_PREFIX:?}",
                m.embedding_dim, m.max_tokens, m.query_prefix
            ),
        ));
    }
    for name in [&m.onnx, &m.tokenizer, &m.onnxruntime] {
        if !m.outputs.contains_key(name) {
            return Err(broken(&path, format!("{name} is not among the outputs")));
        }
    }
    for (name, want) in &m.outputs {
        let file = dir.join(name);
        match std::fs::metadata(&file) {
            Ok(meta) if meta.len() == want.bytes => {}
            Ok(meta) => {
                return Err(broken(
                    &file,
                    format!("{} bytes, the manifest says {}", meta.len(), want.bytes),
                ));
            }
            Err(e) => return Err(broken(&file, e.to_string())),
        }
    }
    Ok(m)
}

/// The process's one onnxruntime environment (onnxruntime allows no second), made with
/// the library of the first models directory loaded: a later directory reuses it (the
/// same version, as both come from the same fetch script).
static ENVIRONMENT: Mutex<Option<Environment>> = Mutex::new(None);

fn environment(lib: &Path) -> Result<Environment, Error> {
    let mut slot = ENVIRONMENT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(env) = slot.as_ref() {
        return Ok(env.clone());
    }
    let env = ort::init_from(lib)
        .map_err(|e| broken(lib, e.to_string()))?
        .with_name("puls-text")
        .with_telemetry(false)
        .build()
        .map_err(runtime)?;
    *slot = Some(env.clone());
    Ok(env)
}

fn open_session(dir: &Path, m: &Manifest, options: &EmbedderOptions) -> Result<Session, Error> {
    let lib: PathBuf =
        std::path::absolute(dir.join(&m.onnxruntime)).map_err(|source| Error::Io {
            path: dir.join(&m.onnxruntime),
            source,
        })?;
    let env = environment(&lib)?;
    let onnx = dir.join(&m.onnx);
    Session::builder(&env)
        .map_err(runtime)?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(runtime)?
        .with_intra_threads(options.threads.max(1))
        .map_err(runtime)?
        .with_inter_threads(1)
        .map_err(runtime)?
        .with_intra_op_spinning(options.spin)
        .map_err(runtime)?
        .commit_from_file(&onnx)
        .map_err(|e| broken(&onnx, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("puls-text-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_embedder_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Embedder>();
    }

    #[test]
    fn an_empty_directory_is_not_installed() {
        let dir = scratch("empty");
        let err = Embedder::load(&dir).unwrap_err();
        assert!(matches!(err, Error::NotInstalled { .. }), "{err}");
        assert!(err.to_string().contains("not installed"), "{err}");
        let err = Embedder::load(dir.join("missing")).unwrap_err();
        assert!(matches!(err, Error::NotInstalled { .. }), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_manifest_naming_missing_files_is_broken() {
        let dir = scratch("broken");
        let manifest = serde_json::json!({
            "format": 1, "model_version": "x", "embedding_dim": DIM, "max_tokens": MAX_TOKENS,
            "query_prefix": QUERY_PREFIX, "onnx": "m.onnx", "tokenizer": "t.json",
            "onnxruntime": "libonnxruntime.so.1",
            "outputs": {"m.onnx": {"bytes": 1}, "t.json": {"bytes": 2}, "libonnxruntime.so.1": {"bytes": 3}},
        });
        std::fs::write(dir.join(MANIFEST), manifest.to_string()).unwrap();
        let err = Embedder::load(&dir).unwrap_err();
        assert!(matches!(err, Error::Broken { .. }), "{err}");
        std::fs::write(dir.join(MANIFEST), "{").unwrap();
        let err = Embedder::load(&dir).unwrap_err();
        assert!(matches!(err, Error::Broken { .. }), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
