import Testing
@Test("06-GuidedBackprop placeholder") func placeholderGuidedBackprop() { #expect(Bool(true)) }
