"""``[tool.pipeline]`` in pyproject.toml -> frozen Settings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from babel import Locale, UnknownLocaleError

from pipeline.errors import ConfigError

__all__ = ["LocaleSettings", "Settings", "load_settings"]


@dataclass(frozen=True)
class LocaleSettings:
    """One target locale: its gettext code (``zh_Hans``), completeness bar (``check`` fails below it)
    and publishing bar (an article's page is built once its catalog reaches it), in percent."""

    code: str
    bar: float
    publish: float = 100.0


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline reads from ``[tool.pipeline]``, with paths made absolute."""

    root: Path
    source_locale: str
    source_dir: Path
    locales_dir: Path
    build_dir: Path
    locales: tuple[LocaleSettings, ...]
    project_name: str
    bugs_address: str
    glossary_path: Path
    fail_on: tuple[str, ...] = ()

    @cached_property
    def templates_dir(self) -> Path:
        """Folder of the ``.pot`` templates."""
        return self.locales_dir / "templates"

    @cached_property
    def clean_dir(self) -> Path:
        """Folder of the normalized documents."""
        return self.build_dir / "clean"

    @cached_property
    def site_dir(self) -> Path:
        """Folder of the published pages."""
        return self.build_dir / "site"

    @cached_property
    def reports_dir(self) -> Path:
        """Folder of the machine- and human-readable reports."""
        return self.build_dir / "reports"

    def catalog_path(self, locale: str, doc_id: str) -> Path:
        """Path of the ``.po`` for one locale and document."""
        # Asked for 9,000 times in a run over a thousand articles and three locales (each stage looks
        # at every catalog): a Path is made once per catalog, with one parse rather than three joins.
        known = self._catalog_paths.get((locale, doc_id))
        if known is None:
            known = Path(f"{self.locales_dir}/{locale}/LC_MESSAGES/{doc_id}.po")
            self._catalog_paths[(locale, doc_id)] = known
        return known

    @cached_property
    def _catalog_paths(self) -> dict[tuple[str, str], Path]:
        return {}

    def template_path(self, doc_id: str) -> Path:
        """Path of the ``.pot`` for one document."""
        return self.templates_dir / f"{doc_id}.pot"

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root, with forward slashes, for messages and references."""
        text = str(path)
        if "/.." not in text:  # the common case, as text: a stage asks this of thousands of catalogs
            for prefix in self._root_prefixes:
                if text.startswith(prefix):
                    return text[len(prefix):]
        if ".." not in path.parts:  # resolving costs a system call per component: only where needed
            for base in (self.root, self._resolved_root):
                try:
                    return path.relative_to(base).as_posix()
                except ValueError:
                    pass
        try:
            return path.resolve().relative_to(self._resolved_root).as_posix()
        except ValueError:
            return path.as_posix()

    @cached_property
    def _resolved_root(self) -> Path:
        return self.root.resolve()

    @cached_property
    def _root_prefixes(self) -> tuple[str, ...]:
        return tuple(str(base).rstrip("/") + "/" for base in (self.root, self._resolved_root))


def _checked_locale(code: object, where: Path) -> str:
    if not isinstance(code, str):
        raise ConfigError(f"locale code must be a string, got {code!r}", where)
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError) as exc:
        raise ConfigError(f"unknown locale {code!r} in [tool.pipeline]: {exc}", where) from exc
    return code


def load_settings(root: Path) -> Settings:
    """Read ``root/pyproject.toml`` and return its ``[tool.pipeline]`` settings.

    Raises ConfigError naming the file when the table is missing or invalid.
    """
    pyproject = root / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("no pyproject.toml here; run from the project folder or pass --root", pyproject) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", pyproject) from exc
    table = data.get("tool", {}).get("pipeline")
    if not isinstance(table, dict):
        raise ConfigError("missing [tool.pipeline] table", pyproject)

    locales = []
    for code, options in sorted(table.get("locales", {}).items()):
        if not isinstance(options, dict):
            raise ConfigError(f"[tool.pipeline.locales.{code}] must be a table", pyproject)
        bar = options.get("bar", 0)
        publish = options.get("publish", 100)
        for name, value in (("bar", bar), ("publish", publish)):
            if not isinstance(value, (int, float)) or not 0 <= value <= 100:
                raise ConfigError(f"{name} for {code!r} must be a percentage 0-100, got {value!r}", pyproject)
        locales.append(LocaleSettings(code=_checked_locale(code, pyproject), bar=float(bar), publish=float(publish)))
    if not locales:
        raise ConfigError("no target locales in [tool.pipeline.locales]", pyproject)

    def folder(key: str, default: str) -> Path:
        value = table.get(key, default)
        path = (root / value).resolve()
        if not path.is_relative_to(root.resolve()):
            raise ConfigError(f"{key} = {value!r} points outside the project", pyproject)
        return path

    qa = table.get("qa", {})
    fail_on = qa.get("fail_on", [])
    if not isinstance(fail_on, list) or not all(isinstance(item, str) for item in fail_on):
        raise ConfigError("[tool.pipeline.qa] fail_on must be a list of check ids", pyproject)
    glossary = (root / table.get("glossary", "locales/glossary.csv")).resolve()
    if not glossary.is_relative_to(root.resolve()):
        raise ConfigError("glossary points outside the project", pyproject)

    return Settings(
        root=root.resolve(),
        source_locale=_checked_locale(table.get("source_locale", "en"), pyproject),
        source_dir=folder("source_dir", "source"),
        locales_dir=folder("locales_dir", "locales"),
        build_dir=folder("build_dir", "build"),
        locales=tuple(locales),
        project_name=str(table.get("project_name", root.name)),
        bugs_address=str(table.get("bugs_address", "")),
        glossary_path=glossary,
        fail_on=tuple(fail_on),
    )
