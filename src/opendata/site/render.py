"""Render every page of the site: file name (relative to the site folder) -> text."""

from __future__ import annotations

from opendata.site.data import PackageData
from opendata.site.pages import metric_pages, region_page, regions, report_page, report_summaries


def _common(data: PackageData) -> dict:
    from opendata.query.info import citation, citation_text

    return {"meta": page_meta(data.meta), "citation": citation_text(citation())}


def page_meta(meta: dict) -> dict:
    """The descriptor's package-level fields the pages show, each present (None when the descriptor lacks it)."""
    licences = [{k: lic.get(k) for k in ("name", "title", "path")} for lic in meta.get("licenses") or []]
    return {k: meta.get(k) for k in ("name", "title", "description", "version", "created", "homepage")} | {
        "licenses": licences}


def render_pages(env, data: PackageData, downloads: list[dict]) -> dict[str, str]:
    common = _common(data)
    all_regions = regions(data)
    metrics = metric_pages(data)

    def page(template: str, root: str, **context) -> str:
        return env.get_template(template).render(root=root, **common, **context)

    pages = {
        "index.html": page("index.html", "", reports=report_summaries(data), regions=all_regions.values(),
                           metrics=[p["metric"] for p in metrics], downloads=downloads),
        "assets/site.css": env.get_template("site.css").render(),
        "assets/site.js": env.get_template("site.js").render(),
    }
    for report in data.reports:
        pages[f"reports/{report['report_id']}.html"] = page("report.html", "../", **report_page(data, report))
    for slug, region in all_regions.items():
        pages[f"regions/{slug}.html"] = page("region.html", "../", **region_page(data, region))
    for entry in metrics:
        pages[f"metrics/{entry['metric'].id}.html"] = page("metric.html", "../", **entry)
    return pages
