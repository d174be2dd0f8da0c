"""AI-bubble discourse tracker: is German and English talk about the AI boom leaning towards
FOMO or towards fear of overspending, and who is driving it?

The package is laid out by pipeline stage:

    collect/    feeds, HTTP, transcripts          → CollectedItem
    extract/    HTML → text, language, sentences  → Document
    score/      e5 encoder + trained heads        → SentenceScore, ArticleScore
    figures/    registry, English NER, German rules → FigureMention
    aggregate   scored articles                   → daily index table
    export      tables                            → CSV files, written atomically
    pipeline    the orchestrator; storage: the SQLite database; cli: the `tracker` command
"""

from tracker.config import Settings, load_sources
from tracker.errors import ConfigError, InputError, ModelError, StorageError, TrackerError
from tracker.pipeline import rebuild_index, run_daily, score_texts

__all__ = [
    "ConfigError",
    "InputError",
    "ModelError",
    "Settings",
    "StorageError",
    "TrackerError",
    "load_sources",
    "rebuild_index",
    "run_daily",
    "score_texts",
]

__version__ = "0.1.0"
