// hookwright/vitest: filled in by its issue.
export {}
