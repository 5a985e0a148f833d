# expect: DD-USR-001
# guide: "Never run containers as root"
FROM node:20-alpine@sha256:1b8bd2c1e4e9c8f4d6a7e5b3c2d1f0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3
WORKDIR /app
HEALTHCHECK CMD ["node", "healthcheck.js"]
CMD ["node", "server.js"]
