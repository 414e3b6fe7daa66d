# Multi-stage build of the `tunnelguard` command (README, "Container").
#   docker build -t tunnelguard .
#   docker run --rm --net=host --cap-add NET_RAW --cap-add NET_ADMIN tunnelguard monitor -i eth0 --rules /etc/tunnelguard/rules --enforce
#   docker run --rm -v "$PWD/pcaps:/pcaps:ro" tunnelguard replay /pcaps --format jsonl
# The entrypoint starts tunnelguard as the unprivileged user `app`, keeping of CAP_NET_RAW and CAP_NET_ADMIN only the
# ones the container was given, as ambient capabilities (like deploy/systemd/tunnelguard.service).
# The base images can be swapped with --build-arg; scripts/docker-build-check.sh builds this file without a Docker
# engine (podman) on locally assembled stand-ins and checks the image.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime:10.0

FROM ${SDK_IMAGE} AS build
# Set by BuildKit; empty (x64) with the legacy builder and with buildah/podman unless given as --build-arg.
ARG TARGETARCH
# The commit, shown by --version as 1.0.0+COMMIT (.git stays out of the build context):
#   docker build --build-arg SOURCE_REVISION="$(git rev-parse HEAD)" -t tunnelguard .
ARG SOURCE_REVISION=
WORKDIR /src
# Restore first, so that the package layer is reused until a project file changes (a new project that the CLI
# references needs its own COPY line here).
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/TunnelGuard/TunnelGuard.csproj src/TunnelGuard/
COPY src/TunnelGuard.Lab/TunnelGuard.Lab.csproj src/TunnelGuard.Lab/
COPY src/TunnelGuard.Cli/TunnelGuard.Cli.csproj src/TunnelGuard.Cli/
RUN rid="linux-$(case "$TARGETARCH" in arm64) echo arm64 ;; *) echo x64 ;; esac)" \
 && echo "$rid" > /tmp/rid \
 && dotnet restore src/TunnelGuard.Cli -r "$rid" --disable-build-servers
COPY src src
# The shipped shape model: TunnelGuard.csproj copies it beside the program only when it exists.
COPY models models
RUN test -f models/tunnelguard-shape-model.zip \
 && dotnet publish src/TunnelGuard.Cli -c Release -r "$(cat /tmp/rid)" --self-contained false --no-restore \
      --disable-build-servers --nologo -o /app ${SOURCE_REVISION:+"-p:SourceRevisionId=$SOURCE_REVISION"} \
 && test -f /app/tunnelguard-shape-model.zip

FROM ${RUNTIME_IMAGE} AS runtime
# libpcap (live capture; libpcap0.8t64 on Ubuntu 24.04, libpcap0.8 on Debian 12), nftables with the iptables+ipset
# fallback (enforcement), libgomp1 (LightGBM, used by `train`), setpriv from util-linux (the entrypoint).
RUN pcap=libpcap0.8t64 \
 && apt-get update \
 && { apt-cache show "$pcap" >/dev/null 2>&1 || pcap=libpcap0.8; } \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      "$pcap" nftables iptables ipset libgomp1 util-linux \
 && rm -rf /var/lib/apt/lists/* \
 && { getent passwd app >/dev/null || useradd --no-log-init --uid 1654 --user-group --create-home app; }
WORKDIR /app
COPY --from=build /app .
COPY rules /etc/tunnelguard/rules
COPY deploy/docker/entrypoint.sh /usr/local/bin/tunnelguard-entrypoint
# The default store of alerts and blocks (/var/lib/tunnelguard/alerts.db) belongs to the user the monitor runs as,
# and its group is root's, for a container started with --cap-drop ALL (the entrypoint cannot switch users there).
RUN chmod 755 /usr/local/bin/tunnelguard-entrypoint \
 && install -d -o app -g 0 -m 775 /var/lib/tunnelguard
VOLUME /var/lib/tunnelguard
ENTRYPOINT ["/usr/local/bin/tunnelguard-entrypoint"]
CMD ["--help"]
