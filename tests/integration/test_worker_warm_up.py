"""The worker loads the PDF renderer before it forks, so a work horse does not build it again per receipt."""

from __future__ import annotations

from portal.jobs import registry


def test_the_worker_warm_up_leaves_a_renderer_and_templates_for_its_horses_to_inherit(app):
    for cached in ("pdf_renderer", "pdf_templates"):
        app.extensions.pop(cached, None)
    registry.run_warm_ups(app, freeze=False)
    renderer = app.extensions["pdf_renderer"]
    # The receipt's template is compiled, and the fonts are cut: a job reuses both.
    assert any(name == "receipt.html" for _loader, name in app.extensions["pdf_templates"].cache)
    assert sorted(path.name for path in renderer.fonts_dir.glob("NotoSansKhmer-*.ttf")) == [
        "NotoSansKhmer-bold.ttf", "NotoSansKhmer-regular.ttf"]
    with app.app_context():
        from portal.domain.rendering.documents import get_renderer

        assert get_renderer() is renderer


def test_the_warm_up_renders_the_qr_stamp_caption_for_the_layouts_page_sizes(app):
    """A horse stamping an A4 certificate or an A5 receipt copies the caption its worker rendered."""
    from portal.domain.rendering import stamp

    app.extensions.pop("pdf_renderer", None)
    registry.run_warm_ups(app, freeze=False)
    renderer = app.extensions["pdf_renderer"]
    assert set(stamp._captions[renderer]) == {(595.276, 841.89), (419.528, 595.276)}  # A4, A5 as WeasyPrint sizes them
