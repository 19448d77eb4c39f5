"""Server-rendered pages for people (issue 7): the public look-up, complaints, business self-service, reports.

Thin edges like the API: each view parses a form, calls the same selector or
service the API calls, and renders a template. Every page works without
JavaScript; the one script only adds results as you type.
"""
