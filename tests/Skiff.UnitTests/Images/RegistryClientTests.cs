using Skiff.Linux;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Skiff.Images;
using Skiff.Images.Archives;
using Skiff.Images.Registry;

namespace Skiff.UnitTests.Images;

public sealed class RegistryClientTests
{
    /// <summary>A registry that wants a bearer token from its token service, all in memory.</summary>
    private sealed class BearerRegistry(byte[] manifest) : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add($"{request.Method} {request.RequestUri} {request.Headers.Authorization}");
            if (request.RequestUri!.Host == "auth.example")
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"token\":\"T0KEN\"}") };
            if (request.Headers.Authorization?.ToString() != "Bearer T0KEN")
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer",
                    "realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:lib/app:pull\""));
                return challenge;
            }
            var ok = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(manifest) };
            ok.Content.Headers.ContentType = new MediaTypeHeaderValue(OciMediaTypes.ImageManifest);
            return ok;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));
    }

    [Fact]
    public void A_bearer_challenge_is_answered_with_a_token_for_the_repository_scope()
    {
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2}");
        var registry = new BearerRegistry(manifest);
        using var client = new RegistryClient("registry.example", new RegistryOptions { Handler = registry });

        var fetched = client.GetManifest("lib/app", "v1");

        Assert.Equal(Digest.Compute(manifest), fetched.Digest);
        Assert.Equal(3, registry.Requests.Count);
        Assert.StartsWith("GET https://registry.example/v2/lib/app/manifests/v1", registry.Requests[0]);
        Assert.Equal("GET https://auth.example/token?service=registry.example&scope=repository%3Alib%2Fapp%3Apull ", registry.Requests[1]);
        Assert.EndsWith("Bearer T0KEN", registry.Requests[2]);
    }

    /// <summary>A registry behind a token service that answers blob mounts with <paramref name="mount"/>.</summary>
    private sealed class MountingRegistry(HttpStatusCode mount) : HttpMessageHandler
    {
        public List<string> TokenRequests { get; } = [];

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.Host == "auth.example")
            {
                TokenRequests.Add(request.RequestUri.Query);
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"token\":\"T0KEN\"}") };
            }
            if (request.Headers.Authorization is null)
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "realm=\"https://auth.example/token\",service=\"registry.example\""));
                return challenge;
            }
            var answer = new HttpResponseMessage(mount);
            if (mount == HttpStatusCode.Accepted)
                answer.Headers.Location = new Uri("/v2/team/b/blobs/uploads/session-1", UriKind.Relative);
            return answer;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));
    }

    [Fact]
    public void A_mount_asks_for_a_token_to_push_to_the_target_and_pull_from_the_source()
    {
        var registry = new MountingRegistry(HttpStatusCode.Created);
        using var client = new RegistryClient("registry.example", new RegistryOptions { Handler = registry });

        Assert.Null(client.MountBlob("team/b", Digest.Compute("layer"u8), "team/a"));

        Assert.Equal("?service=registry.example&scope=repository%3Ateam%2Fb%3Apull%2Cpush&scope=repository%3Ateam%2Fa%3Apull",
            Assert.Single(registry.TokenRequests));
    }

    [Fact]
    public void A_mount_answered_with_202_hands_back_the_upload_session()
    {
        using var client = new RegistryClient("registry.example", new RegistryOptions { Handler = new MountingRegistry(HttpStatusCode.Accepted) });

        var session = client.MountBlob("team/b", Digest.Compute("layer"u8), "team/a");

        Assert.Equal("https://registry.example/v2/team/b/blobs/uploads/session-1", session?.ToString());
    }

    [Fact]
    public void A_manifest_fetched_by_digest_must_hash_to_it()
    {
        var registry = new BearerRegistry(Encoding.UTF8.GetBytes("{\"schemaVersion\":2}"));
        using var client = new RegistryClient("registry.example", new RegistryOptions { Handler = registry });
        var other = Digest.Compute("something else"u8);

        Assert.Throws<DigestMismatchException>(() => client.GetManifest("lib/app", other.ToString()));
    }

    [Fact]
    public void Challenge_parameters_keep_commas_inside_quotes()
    {
        var parsed = RegistryAuthenticator.ParseChallenge("realm=\"https://a/token\",service=\"reg\",scope=\"repository:x/y:pull,push\"");

        Assert.Equal("https://a/token", parsed["realm"]);
        Assert.Equal("reg", parsed["service"]);
        Assert.Equal("repository:x/y:pull,push", parsed["scope"]);
    }

    [Theory]
    [InlineData("127.0.0.1:5000", "http")]
    [InlineData("localhost:5000", "http")]
    [InlineData("[::1]:5000", "http")]
    [InlineData("registry.example", "https")]
    [InlineData("10.0.0.1:5000", "https")]
    public void Plain_http_is_used_only_for_loopback_registries(string domain, string scheme) =>
        Assert.Equal(scheme, RegistryEndpoint.BaseUri(domain, []).Scheme);

    [Fact]
    public void Insecure_registries_and_docker_hub_get_their_endpoints()
    {
        Assert.Equal("http://10.0.0.1:5000/", RegistryEndpoint.BaseUri("10.0.0.1:5000", ["10.0.0.1:5000"]).ToString());
        Assert.Equal("https://registry-1.docker.io/", RegistryEndpoint.BaseUri("docker.io", []).ToString());
    }

    [Fact]
    public void The_host_platform_is_chosen_from_an_index()
    {
        OciDescriptor Entry(string arch, string? variant = null) => new()
        {
            MediaType = OciMediaTypes.ImageManifest, Digest = Digest.Compute(Encoding.UTF8.GetBytes(arch + variant)), Size = 1,
            Platform = new OciPlatform { Os = "linux", Architecture = arch, Variant = variant },
        };
        var index = new[] { Entry("arm", "v6"), Entry("arm", "v7"), Entry("amd64"), Entry("arm64") };

        Assert.Equal(index[2], HostPlatform.Choose(index, new OciPlatform { Os = "linux", Architecture = "amd64" }));
        Assert.Equal(index[1], HostPlatform.Choose(index, new OciPlatform { Os = "linux", Architecture = "arm", Variant = "v7" }));
        Assert.Equal(index[3], HostPlatform.Choose(index, new OciPlatform { Os = "linux", Architecture = "arm64", Variant = "v8" }));
        Assert.Null(HostPlatform.Choose(index, new OciPlatform { Os = "linux", Architecture = "s390x" }));
    }

    [Fact]
    public void Credentials_are_stored_owner_only()
    {
        using var dir = new TempDir();
        var store = new CredentialStore(dir["auth.json"]);

        store.Save("127.0.0.1:5000", new RegistryCredentials("me", "pa:ss"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir["auth.json"]));
        Assert.Equal(new RegistryCredentials("me", "pa:ss"), new CredentialStore(dir["auth.json"]).Get("127.0.0.1:5000"));
        Assert.True(store.Remove("127.0.0.1:5000"));
        Assert.Null(store.Get("127.0.0.1:5000"));
    }

    [Fact]
    public void Import_changes_follow_dockerfile_forms()
    {
        var config = ConfigChanges.Apply(new OciContainerConfig { Env = ["A=1"] },
            ["CMD echo hi", "ENTRYPOINT [\"/bin/tini\", \"--\"]", "ENV A=2 B=\"two words\"", "EXPOSE 80 53/udp", "WORKDIR /srv", "USER nobody", "LABEL k=v"]);

        Assert.Equal(["/bin/sh", "-c", "echo hi"], config.Cmd);
        Assert.Equal(["/bin/tini", "--"], config.Entrypoint);
        Assert.Equal(["A=2", "B=two words"], config.Env);
        Assert.Equal(["53/udp", "80/tcp"], config.ExposedPorts!.Keys.Order());
        Assert.Equal("/srv", config.WorkingDir);
        Assert.Equal("nobody", config.User);
        Assert.Equal("v", config.Labels!["k"]);
        Assert.Throws<InvalidInputException>(() => ConfigChanges.Apply(new OciContainerConfig(), ["RUN rm -rf /"]));
    }
}
