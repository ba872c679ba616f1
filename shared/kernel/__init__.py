"""The library's shared kernel: what every domain may import (Meta, rule books, uuids, moved topics). Pure."""
