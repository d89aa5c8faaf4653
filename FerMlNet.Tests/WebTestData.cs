using FerMlNet.Cli.Bench;
using SkiaSharp;

namespace FerMlNet.Tests;

/// <summary>Images the web and scoring tests send: real dataset faces, a group photo, camera-like frames, a y4m video.</summary>
internal static class WebTestData
{
    /// <summary>
    /// A fer4-mit test face the shipped default model calls happy with 0.9988 confidence (`fer score` of
    /// datasets/fer4-mit/test/happy), so "a clearly happy face comes back happy" does not hang on a borderline image.
    /// </summary>
    public static string ClearlyHappyFace => Path.Combine(TestData.Fer4Mit, "test", "happy", "15822.jpg");

    public static string DefaultModel => Path.Combine(TestData.RepoRoot, "models", "fer-default.zip");

    /// <summary>The shipped fast model (one network).</summary>
    public static string FastModel => Path.Combine(TestData.RepoRoot, "models", "fer-fast.zip");

    /// <summary>
    /// Wild-dev portraits side by side, the first of each class folder named (default happy, sad, surprise): a colour
    /// group photo 350 px high with one face per portrait.
    /// </summary>
    public static byte[] GroupPhotoJpeg(params string[] classes)
    {
        if (classes.Length == 0) classes = ["happy", "sad", "surprise"];
        var portraits = classes
            .Select(c => Directory.GetFiles(Path.Combine(TestData.WildDev, c)).Order(StringComparer.Ordinal).First()).ToArray();
        using var group = new SKBitmap(portraits.Length * 350, 350);
        using (var canvas = new SKCanvas(group))
            for (int i = 0; i < portraits.Length; i++)
                using (var face = SKBitmap.Decode(portraits[i]))
                    canvas.DrawBitmap(face, i * 350, 0);
        return FaceFrames.Jpeg(group, 92);
    }

    /// <summary>A 640×480 camera-like frame with the clearly happy face in the middle.</summary>
    public static SKBitmap HappyFrame(int jitter = 0)
    {
        using var face = SKBitmap.Decode(ClearlyHappyFace);
        return FaceFrames.Compose(640, 480, [(face, 210 + jitter, 130, 220)]);
    }

    /// <summary>
    /// Writes a y4m video (4:2:0, 15 fps) of the happy frame moving a few pixels, for Chromium's fake webcam
    /// (--use-file-for-fake-video-capture). Grey frames: luma is the grey level, chroma is neutral 128.
    /// </summary>
    public static void WriteHappyY4m(string path, int frames = 30)
    {
        using var file = File.Create(path);
        file.Write("YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420jpeg\n"u8);
        var chroma = Enumerable.Repeat((byte)128, 320 * 240 * 2).ToArray();
        for (int f = 0; f < frames; f++)
        {
            using var frame = HappyFrame(jitter: (int)(6 * Math.Sin(f * Math.PI / 15)));
            var luma = new byte[640 * 480];
            for (int y = 0; y < 480; y++)
                for (int x = 0; x < 640; x++)
                {
                    var c = frame.GetPixel(x, y);
                    luma[y * 640 + x] = (byte)Math.Round(0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue);
                }
            file.Write("FRAME\n"u8);
            file.Write(luma);
            file.Write(chroma);
        }
    }
}
