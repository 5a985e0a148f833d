# expect: DD-BI-003
# guide: "Tags are mutable. Use SHA256 digests"
FROM node:20-alpine
USER 1000
CMD ["node", "server.js"]
