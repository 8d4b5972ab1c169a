/// FCDD's per-class normalisation constants, copied as data from liznerski/fcdd at commit
/// `4fa8502` (`python/fcdd/datasets/fmnist.py`, `cifar.py`, `mvtec.py`). "LCN-L1
/// minimum/maximum" are the extremes of the class's training images after
/// ``LocalContrastNormalization`` (L1); "mean" and "standard deviation" are those of the
/// raw training images in `[0, 1]`.
///
/// `Scripts/make_transform_fixtures.py` holds the same tables (and can check them against
/// markdown tables given with `--reference PATH`); the transform tests compare every entry
/// with its output.
enum FCDDNormalizationTables {
    /// Fashion-MNIST (`python/fcdd/datasets/fmnist.py`): one channel; index = class label.
    static let fashionMNIST: [FCDDClassStatistics] = [
        FCDDClassStatistics(
            className: "t-shirt/top",
            lcnMinimum: [-2.681239128112793],
            lcnMaximum: [24.85430908203125],
            mean: [0.3256056010723114],
            standardDeviation: [0.35073918104171753]),
        FCDDClassStatistics(
            className: "trouser",
            lcnMinimum: [-2.5778584480285645],
            lcnMaximum: [11.169795989990234],
            mean: [0.22290456295013428],
            standardDeviation: [0.34353047609329224]),
        FCDDClassStatistics(
            className: "pullover",
            lcnMinimum: [-2.808171510696411],
            lcnMaximum: [19.133548736572266],
            mean: [0.376699835062027],
            standardDeviation: [0.3586803078651428]),
        FCDDClassStatistics(
            className: "dress",
            lcnMinimum: [-1.9533653259277344],
            lcnMaximum: [18.65673065185547],
            mean: [0.25889596343040466],
            standardDeviation: [0.3542196452617645]),
        FCDDClassStatistics(
            className: "coat",
            lcnMinimum: [-2.6103856563568115],
            lcnMaximum: [19.166685104370117],
            mean: [0.3853232264518738],
            standardDeviation: [0.37631189823150635]),
        FCDDClassStatistics(
            className: "sandal",
            lcnMinimum: [-1.2358522415161133],
            lcnMaximum: [28.463092803955078],
            mean: [0.1367349475622177],
            standardDeviation: [0.26310813426971436]),
        FCDDClassStatistics(
            className: "shirt",
            lcnMinimum: [-3.251605987548828],
            lcnMaximum: [24.196823120117188],
            mean: [0.3317836821079254],
            standardDeviation: [0.3392786681652069]),
        FCDDClassStatistics(
            className: "sneaker",
            lcnMinimum: [-1.0814440250396729],
            lcnMaximum: [16.878812789916992],
            mean: [0.16769391298294067],
            standardDeviation: [0.29478660225868225]),
        FCDDClassStatistics(
            className: "bag",
            lcnMinimum: [-3.6560964584350586],
            lcnMaximum: [11.3502836227417],
            mean: [0.35355499386787415],
            standardDeviation: [0.3652712106704712]),
        FCDDClassStatistics(
            className: "ankle boot",
            lcnMinimum: [-1.3859291076660156],
            lcnMaximum: [11.426650047302246],
            mean: [0.30119451880455017],
            standardDeviation: [0.37053292989730835]),
    ]

    /// CIFAR-10 (`python/fcdd/datasets/cifar.py`): the LCN-L1 minimum and maximum are single values FCDD applies to all three channels; mean and standard deviation per channel (R, G, B).
    static let cifar10: [FCDDClassStatistics] = [
        FCDDClassStatistics(
            className: "airplane",
            lcnMinimum: [-28.94083453598571],
            lcnMaximum: [13.802961825439636],
            mean: [0.5256516933441162, 0.5603281855583191, 0.5888723731040955],
            standardDeviation: [0.2502202093601227, 0.24083486199378967, 0.2659735083580017]),
        FCDDClassStatistics(
            className: "automobile",
            lcnMinimum: [-6.681770233365245],
            lcnMaximum: [9.158067708230273],
            mean: [0.4711322784423828, 0.45446228981018066, 0.4471212327480316],
            standardDeviation: [0.26806357502937317, 0.2658274173736572, 0.2749459445476532]),
        FCDDClassStatistics(
            className: "bird",
            lcnMinimum: [-34.924463588638204],
            lcnMaximum: [14.419298165027628],
            mean: [0.48923906683921814, 0.49146366119384766, 0.423904687166214],
            standardDeviation: [0.22705480456352234, 0.2209445983171463, 0.24337927997112274]),
        FCDDClassStatistics(
            className: "cat",
            lcnMinimum: [-10.599172931391799],
            lcnMaximum: [11.093187820377565],
            mean: [0.4954785108566284, 0.45636114478111267, 0.4154069721698761],
            standardDeviation: [0.2568431496620178, 0.25227081775665283, 0.25799375772476196]),
        FCDDClassStatistics(
            className: "deer",
            lcnMinimum: [-11.945022995801637],
            lcnMaximum: [10.628045447867583],
            mean: [0.47155335545539856, 0.46515223383903503, 0.37797248363494873],
            standardDeviation: [0.21732737123966217, 0.20652702450752258, 0.21182335913181305]),
        FCDDClassStatistics(
            className: "dog",
            lcnMinimum: [-9.691969487694928],
            lcnMaximum: [8.948326776180823],
            mean: [0.49992093443870544, 0.4646056592464447, 0.4164286255836487],
            standardDeviation: [0.2504253387451172, 0.24374878406524658, 0.2489463835954666]),
        FCDDClassStatistics(
            className: "frog",
            lcnMinimum: [-9.174940012342555],
            lcnMaximum: [13.847014686472365],
            mean: [0.47001829743385315, 0.43829214572906494, 0.34500396251678467],
            standardDeviation: [0.22888341546058655, 0.21856172382831573, 0.2204199582338333]),
        FCDDClassStatistics(
            className: "horse",
            lcnMinimum: [-6.876682005899029],
            lcnMaximum: [12.282371383343161],
            mean: [0.5019531846046448, 0.47983652353286743, 0.4167139232158661],
            standardDeviation: [0.2430490106344223, 0.243973046541214, 0.25171563029289246]),
        FCDDClassStatistics(
            className: "ship",
            lcnMinimum: [-15.603507135507172],
            lcnMaximum: [15.2464923804279],
            mean: [0.4902143180370331, 0.5253947973251343, 0.5546804070472717],
            standardDeviation: [0.24962472915649414, 0.24068884551525116, 0.25149762630462646]),
        FCDDClassStatistics(
            className: "truck",
            lcnMinimum: [-6.132882973622672],
            lcnMaximum: [8.046098172351265],
            mean: [0.4986417591571808, 0.4852965474128723, 0.4780091941356659],
            standardDeviation: [0.2680525481700897, 0.26910799741744995, 0.2810165584087372]),
    ]

    /// MVTec-AD (`python/fcdd/datasets/mvtec.py`): per channel (R, G, B), classes in FCDD's order.
    static let mvtecAD: [FCDDClassStatistics] = [
        FCDDClassStatistics(
            className: "bottle",
            lcnMinimum: [-1.3336724042892456, -1.3107913732528687, -1.2445921897888184],
            lcnMaximum: [1.3779616355895996, 1.3779616355895996, 1.3779616355895996],
            mean: [0.53453129529953, 0.5307118892669678, 0.5491130352020264],
            standardDeviation: [0.3667600452899933, 0.3666728734970093, 0.34991779923439026]),
        FCDDClassStatistics(
            className: "cable",
            lcnMinimum: [-2.2404820919036865, -2.3387579917907715, -2.2896201610565186],
            lcnMaximum: [4.573435306549072, 4.573435306549072, 4.573435306549072],
            mean: [0.326835036277771, 0.41494372487068176, 0.46718254685401917],
            standardDeviation: [0.15321789681911469, 0.21510766446590424, 0.23905669152736664]),
        FCDDClassStatistics(
            className: "capsule",
            lcnMinimum: [-3.184587001800537, -3.164201259613037, -3.1392977237701416],
            lcnMaximum: [1.6995097398757935, 1.6011602878570557, 1.5209171772003174],
            mean: [0.6953922510147095, 0.6663950085639954, 0.6533040404319763],
            standardDeviation: [0.23858436942100525, 0.2591284513473511, 0.2601949870586395]),
        FCDDClassStatistics(
            className: "carpet",
            lcnMinimum: [-3.0334954261779785, -2.958242416381836, -2.7701096534729004],
            lcnMaximum: [6.503103256225586, 5.875098705291748, 5.814228057861328],
            mean: [0.36377236247062683, 0.35087138414382935, 0.35671544075012207],
            standardDeviation: [0.14506031572818756, 0.13994529843330383, 0.1276693195104599]),
        FCDDClassStatistics(
            className: "grid",
            lcnMinimum: [-3.100773334503174, -3.100773334503174, -3.100773334503174],
            lcnMaximum: [4.27892541885376, 4.27892541885376, 4.27892541885376],
            mean: [0.4484519958496094, 0.4484519958496094, 0.4484519958496094],
            standardDeviation: [0.1636597216129303, 0.1636597216129303, 0.1636597216129303]),
        FCDDClassStatistics(
            className: "hazelnut",
            lcnMinimum: [-3.6565306186676025, -3.507692813873291, -2.7635035514831543],
            lcnMaximum: [18.966819763183594, 21.64590072631836, 26.408710479736328],
            mean: [0.2390524297952652, 0.17620408535003662, 0.17206747829914093],
            standardDeviation: [0.1688646823167801, 0.07597383111715317, 0.04383210837841034]),
        FCDDClassStatistics(
            className: "leather",
            lcnMinimum: [-1.5192601680755615, -2.2068002223968506, -2.3948357105255127],
            lcnMaximum: [11.564697265625, 10.976534843444824, 10.378695487976074],
            mean: [0.3919542133808136, 0.2631213963031769, 0.22006843984127045],
            standardDeviation: [0.06069392338395119, 0.04061736911535263, 0.0303945429623127]),
        FCDDClassStatistics(
            className: "metal_nut",
            lcnMinimum: [-1.3207964897155762, -1.2889339923858643, -1.148416519165039],
            lcnMaximum: [6.854909896850586, 6.854909896850586, 6.854909896850586],
            mean: [0.21368788182735443, 0.23478130996227264, 0.24079132080078125],
            standardDeviation: [0.1602524220943451, 0.18222476541996002, 0.15336430072784424]),
        FCDDClassStatistics(
            className: "pill",
            lcnMinimum: [-0.9883341193199158, -0.9822461605072021, -0.9288841485977173],
            lcnMaximum: [2.290637969970703, 2.4007883071899414, 2.3044068813323975],
            mean: [0.30240726470947266, 0.3029524087905884, 0.32861486077308655],
            standardDeviation: [0.30409011244773865, 0.30411985516548157, 0.28656429052352905]),
        FCDDClassStatistics(
            className: "screw",
            lcnMinimum: [-7.236185073852539, -7.236185073852539, -7.236185073852539],
            lcnMaximum: [3.3777384757995605, 3.3777384757995605, 3.3777384757995605],
            mean: [0.7099748849868774, 0.7099748849868774, 0.7099748849868774],
            standardDeviation: [0.1337062269449234, 0.1337062269449234, 0.1337062269449234]),
        FCDDClassStatistics(
            className: "tile",
            lcnMinimum: [-3.2036616802215576, -3.221003532409668, -3.305514335632324],
            lcnMaximum: [7.022546768188477, 6.115569114685059, 6.310940742492676],
            mean: [0.4567880630493164, 0.4711957275867462, 0.4482630491256714],
            standardDeviation: [0.12076705694198608, 0.13341768085956573, 0.12879984080791473]),
        FCDDClassStatistics(
            className: "toothbrush",
            lcnMinimum: [-0.8915618658065796, -0.8669204115867615, -0.8002046346664429],
            lcnMaximum: [4.4255571365356445, 4.642300128936768, 4.305730819702148],
            mean: [0.19987481832504272, 0.18578395247459412, 0.19361256062984467],
            standardDeviation: [0.22920562326908112, 0.21501320600509644, 0.19536510109901428]),
        FCDDClassStatistics(
            className: "transistor",
            lcnMinimum: [-1.9086798429489136, -2.0004451274871826, -1.929288387298584],
            lcnMaximum: [5.463134765625, 5.463134765625, 5.463134765625],
            mean: [0.38699793815612793, 0.276934415102005, 0.24219433963298798],
            standardDeviation: [0.20621345937252045, 0.14321941137313843, 0.11695228517055511]),
        FCDDClassStatistics(
            className: "wood",
            lcnMinimum: [-2.9547364711761475, -3.17536997795105, -3.143850803375244],
            lcnMaximum: [5.305514812469482, 4.535006523132324, 3.3618252277374268],
            mean: [0.6718143820762634, 0.47696375846862793, 0.35050269961357117],
            standardDeviation: [0.08259467780590057, 0.06751163303852081, 0.04756828024983406]),
        FCDDClassStatistics(
            className: "zipper",
            lcnMinimum: [-1.2906527519226074, -1.2906527519226074, -1.2906527519226074],
            lcnMaximum: [2.515115737915039, 2.515115737915039, 2.515115737915039],
            mean: [0.4014520049095154, 0.4014520049095154, 0.4014520049095154],
            standardDeviation: [0.32304847240448, 0.32304847240448, 0.32304847240448]),
    ]
}
