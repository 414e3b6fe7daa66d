using System.Net;
using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>Turning forward specs into SSH.NET forwarded ports.</summary>
public sealed partial class SshTunnelClient
{
    // OpenSSH binds local listeners to loopback unless told otherwise (GatewayPorts no).
    private const string LocalLoopback = "127.0.0.1";
    private const string LocalAny = "0.0.0.0";

    // On the server, "localhost" means loopback and "" every address (RFC 4254 §7.1).
    private const string RemoteLoopback = "localhost";
    private const string RemoteAny = "";

    private ActiveForward StartForward(ForwardSpec spec)
    {
        if (spec.Kind == ForwardKind.Dynamic)
        {
            return StartSocks(spec);
        }

        var (port, bind) = Create(spec);
        port.RequestReceived += (_, e) => Log.ChannelRequested(_logger, spec, e.OriginatorHost, e.OriginatorPort);
        port.Exception += (_, e) => Log.ForwardError(_logger, spec, e.Exception.Message);

        // SSH.NET: a forwarded port must be added to a connected client before it is started.
        _client.AddForwardedPort(port);
        _ports.Add(port);
        try
        {
            port.Start();
        }
        catch (Exception ex) when (ex is SshException or SocketException or InvalidOperationException)
        {
            throw new TunnelConnectException($"cannot start {spec}: {ex.Message}", ex);
        }

        var bound = port switch
        {
            ForwardedPortLocal local => (int)local.BoundPort,
            ForwardedPortRemote remote => (int)remote.BoundPort,
            _ => spec.BindPort,
        };
        return new ActiveForward(spec, bind.Length == 0 ? ForwardSpec.AnyAddress : bind, bound);
    }

    private static (ForwardedPort Port, string Bind) Create(ForwardSpec spec)
    {
        if (spec.Kind == ForwardKind.Remote)
        {
            var remoteBind = spec.BindAddress switch
            {
                null => RemoteLoopback,
                ForwardSpec.AnyAddress => RemoteAny,
                var address => address,
            };
            return (new ForwardedPortRemote(remoteBind, (uint)spec.BindPort, spec.TargetHost!, (uint)spec.TargetPort), remoteBind);
        }

        var bind = LocalBind(spec.BindAddress);
        return (new ForwardedPortLocal(bind, (uint)spec.BindPort, spec.TargetHost!, (uint)spec.TargetPort), bind);
    }

    // -D goes through our own SOCKS front end, not ForwardedPortDynamic: see SocksForwarder for why.
    private ActiveForward StartSocks(ForwardSpec spec)
    {
        var bind = LocalBind(spec.BindAddress);
        IPAddress address;
        try
        {
            address = IPAddress.TryParse(bind, out var parsed) ? parsed : Dns.GetHostAddresses(bind)[0];
        }
        catch (Exception ex) when (ex is SocketException or IndexOutOfRangeException)
        {
            throw new TunnelConnectException($"cannot start {spec}: cannot resolve bind address '{bind}': {ex.Message}", ex);
        }

        var socks = new SocksForwarder(_client, spec, address, _logger);
        _socks.Add(socks);
        try
        {
            socks.Start();
        }
        catch (SocketException ex)
        {
            throw new TunnelConnectException($"cannot start {spec}: {ex.Message}", ex);
        }

        return new ActiveForward(spec, bind, socks.BoundPort);
    }

    private static string LocalBind(string? bindAddress) => bindAddress switch
    {
        null or "localhost" => LocalLoopback,
        ForwardSpec.AnyAddress => LocalAny,
        var address => address,
    };
}
