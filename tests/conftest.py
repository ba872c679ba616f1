pytest_plugins = [
    "tests.fixtures.nats",
    "tests.fixtures.postgres",
    "tests.fixtures.product",
    "tests.fixtures.backends",
    "tests.fixtures.loop_guard",
]
