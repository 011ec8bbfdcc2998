using System.Globalization;
using System.Net;
using System.Text;

namespace Tagflow.Tests.Metrics;

/// <summary>One answer of <c>/metrics</c>, read as Prometheus reads its text format: samples of a name, labels and a value.</summary>
internal sealed class Scrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private Scrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            _samples.Add(Parse(line));
        }
    }

    public string Text { get; }

    /// <summary>GET /metrics, asserted to answer 200 in Prometheus's text format.</summary>
    public static async Task<Scrape> TakeAsync(HttpClient metrics)
    {
        using var response = await metrics.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        return new Scrape(text);
    }

    /// <summary>Scrapes until <paramref name="condition"/> holds (up to 10 s): a request is measured just after its answer is sent.</summary>
    public static async Task<Scrape> UntilAsync(HttpClient metrics, Func<Scrape, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var scrape = await TakeAsync(metrics);
            if (condition(scrape)) return scrape;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Not within 10 s; the last scrape:\n{scrape.Text}");
            await Task.Delay(100);
        }
    }

    /// <summary>The value of the one sample of <paramref name="name"/> that carries these labels (and maybe others); null if none does.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels)
    {
        var found = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).ToList();
        Assert.True(found.Count <= 1, $"{found.Count} samples of {name} match; name every label that tells them apart.\n{Text}");
        return found.Count == 1 ? found[0].Value : null;
    }

    /// <summary><c>name{a="x",b="y\"z"} 1.5</c>, or <c>name 1.5</c>; a timestamp after the value is ignored.</summary>
    private static (string, Dictionary<string, string>, double) Parse(string line)
    {
        var labels = new Dictionary<string, string>();
        var nameEnd = line.IndexOfAny(['{', ' ']);
        var name = line[..nameEnd];
        var i = nameEnd;
        if (line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                var text = new StringBuilder();
                for (i = eq + 2; line[i] != '"'; i++)
                {
                    if (line[i] != '\\') text.Append(line[i]);
                    else text.Append(line[++i] == 'n' ? '\n' : line[i]);
                }
                labels[label] = text.ToString();
                i++;
                if (line[i] == ',') i++;
            }
            i++;
        }
        var value = line[(i + 1)..].Split(' ')[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return (name, labels, value);
    }
}
