// hookwright/jest: filled in by its issue.
export {}
