// Placeholder entry so the build has its CLI target; the commands land with the receiver issue.
console.error('hookwright: no commands yet')
process.exitCode = 1
