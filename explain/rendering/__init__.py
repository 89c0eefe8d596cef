"""Views rendered: text, Markdown, HTML and JSON through Jinja2 templates, an agenda as iCalendar."""
