import AdversarialSolutions
import CAMSolutions
import EvaluationSolutions
import LessonSupport
import OcclusionSolutions
import SaliencySolutions
import GradCAMSolutions
import GuidedBackpropSolutions
import TensorEngine

/// The methods `workbook explain` offers, each computed by the reference solution of its lesson.
enum ExplanationMethods {
    static var all: [ExplanationMethod] {
        [
            ExplanationMethod(name: "saliency", kind: .inputSpace, summary: "vanilla gradient ∂yᶜ/∂x, signed (lesson 02); --raw: [1, C, H, W]") { model, image, target, _ in
                try saliency(of: model, images: image, targets: [target])
            },
            ExplanationMethod(name: "gradient-x-input", kind: .inputSpace, summary: "x ⊙ ∂yᶜ/∂x (lesson 02); --raw: [1, C, H, W]") { model, image, target, _ in
                try gradientTimesInput(of: model, images: image, targets: [target])
            },
            ExplanationMethod(name: "smoothgrad", kind: .inputSpace, summary: "SmoothGrad, 50 samples, noise 15% of the range, seed 0 (lesson 02); --raw: [1, C, H, W]") { model, image, target, _ in
                try smoothGrad(of: model, images: image, targets: [target], samples: 50, noiseLevel: 0.15, seed: 0)
            },
            ExplanationMethod(name: "integrated-gradients", kind: .inputSpace, summary: "Integrated Gradients, black baseline, 50 Gauss-Legendre steps (lesson 02); --raw: [1, C, H, W]") { model, image, target, _ in
                try integratedGradients(of: model, images: image, targets: [target], steps: 50, method: .gaussLegendre).attributions
            },
            ExplanationMethod(name: "occlusion", kind: .inputSpace, summary: "occlusion, 4×4 window, stride 2, baseline 0 (lesson 03); --raw: [1, C, H, W]") { model, image, target, _ in
                try occlusion(of: model, images: image, targets: [target], window: 4, stride: 2, baseline: 0, batchSize: 169)
            },
            ExplanationMethod(name: "cam", kind: .layerSpace, summary: "CAM Σₖ wₖᶜ Aₖ at the layer before global average pooling (lesson 04); --raw: [1, 1, h, w]") { model, image, target, layer in
                try classActivationMap(of: model, images: image, targets: [target], featureLayer: layer)
            },
            ExplanationMethod(name: "gradcam", kind: .layerSpace, summary: "Grad-CAM at the layer (lesson 05); --raw: ReLU(Σ αₖ Aₖ) [1, 1, h, w]") { model, image, target, layer in
                try gradCAM(of: model, images: image, targets: [target], layer: layer)
            },
            ExplanationMethod(name: "gradcam++", kind: .layerSpace, summary: "Grad-CAM++ (lesson 05); --raw: [1, 1, h, w] at the layer") { model, image, target, layer in
                try gradCAMPlusPlus(of: model, images: image, targets: [target], layer: layer)
            },
            ExplanationMethod(name: "ablation-cam", kind: .layerSpace, summary: "Ablation-CAM: each channel's weight is the score lost when it is zeroed (lesson 10); --raw: [1, 1, h, w]") { model, image, target, layer in
                try ablationCAM(of: model, images: image, targets: [target], layer: layer)
            },
            ExplanationMethod(name: "score-cam", kind: .layerSpace, summary: "Score-CAM: each channel's weight is the softmax score of the image masked by it (lesson 10); --raw: [1, 1, h, w]") { model, image, target, layer in
                try scoreCAM(of: model, images: image, targets: [target], layer: layer)
            },
            ExplanationMethod(name: "guided-backprop", kind: .inputSpace, summary: "guided backpropagation (lesson 06); --raw: [1, C, H, W]") { model, image, target, _ in
                try guidedBackprop(of: model, images: image, targets: [target])
            },
            ExplanationMethod(name: "deconvnet", kind: .inputSpace, summary: "the deconvnet rule (lesson 06); --raw: [1, C, H, W]") { model, image, target, _ in
                try deconvnet(of: model, images: image, targets: [target])
            },
            ExplanationMethod(name: "guided-gradcam", kind: .inputSpace, summary: "guided backprop ⊙ upsampled Grad-CAM (lesson 06); --raw: [1, C, H, W]") { model, image, target, layer in
                try guidedGradCAM(of: model, images: image, targets: [target], layer: layer)
            },
            ExplanationMethod(name: "fgsm", kind: .attack, summary: "FGSM, ε = 0.1, untargeted (lesson 07); --raw: the perturbation x′ − x [1, C, H, W]") { model, image, target, _ in
                let adversarial = try fgsm(of: model, images: image, labels: [target], epsilon: 0.1)
                return try withNoGrad { try adversarial - image }
            },
            ExplanationMethod(name: "pgd", kind: .attack, summary: "PGD, ε = 0.1, 20 steps of 0.01 (lesson 07); --raw: the perturbation x′ − x") { model, image, target, _ in
                let adversarial = try pgd(of: model, images: image, labels: [target], epsilon: 0.1, stepSize: 0.01, steps: 20)
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
