// hookwright/msw: filled in by its issue.
export {}
