using FerMlNet.Training.MlNet;
using FerMlNet.Lifecycle.Evaluation;
using Microsoft.ML;

namespace FerMlNet.Tests;

/// <summary>The two catalog entry points of the CNN trainer, as ML.NET's trainers have: columns and a recipe name, or an options object.</summary>
public class FerCnnCatalogTests
{
    [Fact]
    public void TheSimpleOverloadTakesColumnsAndARecipeByNameAndTheOptionsOverloadEverySetting()
    {
        var trainers = new MLContext(seed: 0).MulticlassClassification.Trainers;
        var byDefault = trainers.FerCnn().Options;
        Assert.Equal(("Label", "Pixels", "model-a"), (byDefault.LabelColumnName, byDefault.FeatureColumnName, byDefault.Pipeline.Architecture));

        var named = trainers.FerCnn(labelColumnName: "Emotion", featureColumnName: "Face", pipeline: "vgg-gap").Options;
        Assert.Equal(("Emotion", "Face", "vgg-gap", "vgg-gap"), (named.LabelColumnName, named.FeatureColumnName, named.Pipeline.Name, named.Pipeline.Architecture));

        var options = new FerCnnTrainerOptions { LabelColumnName = "y" };
        Assert.Same(options, trainers.FerCnn(options).Options);
        Assert.Throws<ArgumentNullException>(() => trainers.FerCnn((FerCnnTrainerOptions)null!));
        Assert.Contains("neither a file nor a name in pipelines/",
            Assert.Throws<InvalidDataException>(() => trainers.FerCnn(pipeline: "no-such-recipe")).Message);
    }
}
