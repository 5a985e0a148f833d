FROM alpine:3.19
# a heredoc that never ends
RUN <<EOF
apk add curl
