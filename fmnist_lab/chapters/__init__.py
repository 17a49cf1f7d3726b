"""Each page's findings: what it loads, the numbers it glues and the asserts that guard its prose."""
