import LessonSupport
import TensorEngine

/// The methods `workbook explain` offers, each computed by its lesson's exercise: the reference's
/// (`Implementations.reference`, the full edition's default) or the student's (`--implementation student`, the student edition's only one).
enum ExplanationMethods {
    static var all: [ExplanationMethod] { all(using: .standard) }

    static func all(using code: Implementations) -> [ExplanationMethod] {
        methods(using: code).map { method in
            // A stub that is not started stops the command with one line naming its exercise.
            ExplanationMethod(name: method.name, kind: method.kind, summary: method.summary) { model, image, target, layer in
                try running(method.name) { try method.compute(model, image, target, layer) }
            }
        }
    }

    private static func methods(using code: Implementations) -> [ExplanationMethod] {
        [
            ExplanationMethod(name: "saliency", kind: .inputSpace, summary: "|∂yᶜ/∂x|, the largest over the channels (lesson 02: 2.1, 2.2; Simonyan et al.); --raw: [1, 1, H, W]") { model, image, target, _ in
                try code.saliency(model, image, [target])
            },
            ExplanationMethod(name: "gradient-x-input", kind: .inputSpace, summary: "x ⊙ ∂yᶜ/∂x (lesson 02); --raw: [1, C, H, W]") { model, image, target, _ in
                try code.gradientTimesInput(model, image, [target])
            },
            ExplanationMethod(name: "smoothgrad", kind: .inputSpace, summary: "SmoothGrad, 50 samples, noise 15% of the range, seed 0 (lesson 02); --raw: [1, C, H, W]") { model, image, target, _ in
                try code.smoothGrad(model, image, [target], 50, 0.15, 0)
            },
            ExplanationMethod(name: "integrated-gradients", kind: .inputSpace, summary: "Integrated Gradients, black baseline, 50 Gauss-Legendre steps (lesson 02); --raw: [1, C, H, W]") { model, image, target, _ in
                try code.integratedGradients(model, image, [target], 50, .gaussLegendre)
            },
            ExplanationMethod(name: "occlusion", kind: .inputSpace, summary: "occlusion, 4×4 window, stride 2 (16×16, stride 8, on images of 112 pixels or more, as captum's ImageNet tutorial), baseline 0 (lesson 03); --raw: [1, C, H, W]") { model, image, target, _ in
                // On a 224×224 photo a 4×4 window would take 12,321 forward passes (5 minutes for
                // ResNet-18 here); 16×16 with stride 8 takes 729, in batches small enough for its memory.
                image.rank == 4 && min(image.shape[2], image.shape[3]) >= 112
                    ? try code.occlusion(model, image, [target], 16, 8, 0, 27)
                    : try code.occlusion(model, image, [target], 4, 2, 0, 169)
            },
            ExplanationMethod(name: "cam", kind: .layerSpace, summary: "CAM Σₖ wₖᶜ Aₖ at the layer before global average pooling (lesson 04); --raw: [1, 1, h, w]") { model, image, target, layer in
                try code.classActivationMap(model, image, [target], layer)
            },
            ExplanationMethod(name: "gradcam", kind: .layerSpace, summary: "Grad-CAM at the layer (lesson 05); --raw: ReLU(Σ αₖ Aₖ) [1, 1, h, w]") { model, image, target, layer in
                try code.gradCAM(model, image, [target], layer)
            },
            ExplanationMethod(name: "gradcam++", kind: .layerSpace, summary: "Grad-CAM++ (lesson 05); --raw: [1, 1, h, w] at the layer") { model, image, target, layer in
                try code.gradCAMPlusPlus(model, image, [target], layer)
            },
            ExplanationMethod(name: "ablation-cam", kind: .layerSpace, summary: "Ablation-CAM: each channel's weight is the score lost when it is zeroed (lesson 10); --raw: [1, 1, h, w]") { model, image, target, layer in
                try code.ablationCAM(model, image, [target], layer)
            },
            ExplanationMethod(name: "score-cam", kind: .layerSpace, summary: "Score-CAM: each channel's weight is the softmax score of the image masked by it (lesson 10); --raw: [1, 1, h, w]") { model, image, target, layer in
                try code.scoreCAM(model, image, [target], layer)
            },
            ExplanationMethod(name: "guided-backprop", kind: .inputSpace, summary: "guided backpropagation (lesson 06); --raw: [1, C, H, W]") { model, image, target, _ in
                try code.guidedBackprop(model, image, [target])
            },
            ExplanationMethod(name: "deconvnet", kind: .inputSpace, summary: "the deconvnet rule (lesson 06); --raw: [1, C, H, W]") { model, image, target, _ in
                try code.deconvnet(model, image, [target])
            },
            ExplanationMethod(name: "guided-gradcam", kind: .inputSpace, summary: "guided backprop ⊙ upsampled Grad-CAM (lesson 06); --raw: [1, C, H, W]") { model, image, target, layer in
                try code.guidedGradCAM(model, image, [target], layer)
            },
            ExplanationMethod(name: "fgsm", kind: .attack, summary: "FGSM, ε = 0.1, untargeted (lesson 07); --raw: the perturbation x′ − x [1, C, H, W]") { model, image, target, _ in
                let adversarial = try code.fgsm(model, image, [target], 0.1)
                return try withNoGrad { try adversarial - image }
            },
            ExplanationMethod(name: "pgd", kind: .attack, summary: "PGD, ε = 0.1, 20 steps of 0.01 (lesson 07); --raw: the perturbation x′ − x") { model, image, target, _ in
                let adversarial = try code.pgd(model, image, [target], 0.1, 0.01, 20)
                return try withNoGrad { try adversarial - image }
            },
        ]
    }

    /// Whether CAM is defined: the layer feeds a global average pool and then the last Linear.
    static func camApplies(_ model: Module, layer: String) -> Bool {
        let names = model.children.map(\.name)
        guard let i = names.firstIndex(of: layer) else { return false }
        // As the CAM reference: dropout, the identity when explaining, may follow the pooling.
        let after = model.children[(i + 1)...].filter { !($0.module is Dropout) }.map(\.module)
        return after.count >= 2 && after[0] is GlobalAvgPool2d && after[1] is Linear
    }
}
