"""Intake's http: the JSON API, the pages and their texts (zh-CN first)."""
