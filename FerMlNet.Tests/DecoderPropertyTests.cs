using FerMlNet.Preprocessing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FerMlNet.Tests;

/// <summary>
/// Property tests of the decoding and preprocessing path (the code every command and the API put untrusted bytes
/// through): whatever the bytes — random, or a real JPEG/PNG with bytes flipped, cut or spliced — the decoder either
/// returns one 48×48 face or refuses with an <see cref="ImageDecodeException"/> carrying a reason. Never another
/// exception, never another size. Bounded: a fixed number of cases per property.
/// </summary>
public class DecoderPropertyTests
{
    private static readonly byte[] Jpeg = File.ReadAllBytes(TestData.Fer4MitImages("train", "sad", 1)[0]);
    private static readonly byte[] Png = SkiaSharp.SKBitmap.Decode(Jpeg).Encode(SkiaSharp.SKEncodedImageFormat.Png, 100).ToArray();

    private static bool DecodesOrRefusesWithAReason(byte[] bytes)
    {
        try
        {
            return FaceImageDecoder.Decode(bytes).Length == PreprocessingContract.PixelCount;
        }
        catch (ImageDecodeException e)
        {
            return !string.IsNullOrWhiteSpace(e.Reason);
        }
    }

    [Property(MaxTest = 300)]
    public bool RandomBytesNeverEscapeAsAnotherException(byte[] bytes) => DecodesOrRefusesWithAReason(bytes);

    [Property(MaxTest = 300)]
    public Property MutatedRealImagesDecodeOrAreRefused()
    {
        var mutation =
            from png in Gen.Elements(false, true)
            from positions in Gen.Choose(0, 4000).ArrayOf()
            from values in Gen.Choose(0, 255).ArrayOf()
            from cut in Gen.Choose(0, 100)
            select (png, positions, values, cut);
        return Prop.ForAll(mutation.ToArbitrary(), m =>
        {
            var bytes = (byte[])(m.png ? Png : Jpeg).Clone();
            for (int i = 0; i < Math.Min(m.positions.Length, m.values.Length); i++)
                bytes[m.positions[i] % bytes.Length] = (byte)m.values[i];
            int keep = Math.Max(0, bytes.Length - bytes.Length * m.cut / 100);
            return DecodesOrRefusesWithAReason(bytes[..keep]);
        });
    }
}
